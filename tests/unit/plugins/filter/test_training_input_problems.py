"""The training role's semantic input checks: one message per problem, each naming the variable to change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ffdl.platform.plugins.filter.training_input_problems import SETTINGS, FilterModule

problems = FilterModule().filters()["training_input_problems"]

GOOD = {
    "training_restapi_url": "http://192.0.2.10:31000",
    "training_s3_endpoint_url": "",
    "training_manifest_s3_url": "",
    "training_data_bucket": "tf_training_data",
    "training_results_bucket": "tf_trained_model",
    "training_cache_dir": "/root/.cache/ffdl-training",
    "training_work_dir": "/tmp/ffdl-training",
    "training_results_dir": "/root/ffdl-results",
    "training_timeout": 3600,
    "training_poll_interval": "5",
    "training_log_lines": 40,
    "training_download_timeout": 120,
    "training_iters": 100,
    "training_data_files": [{"name": "train-images-idx3-ubyte.gz", "checksum": "md5:" + "f" * 32}],
    "training_data_dir": "",
    "training_data_mirrors": ["https://mirror.example/mnist/"],
    "training_model_dir": "",
    "training_manifest_file": "",
    "training_manifest_overrides": {},
    "training_learning_rate": 0.001,
    "training_aws_profile": "",
    "training_accuracy_regex": r"Testing Accuracy: ([0-9.]+)",
    "training_progress_patterns": [r"^Iter \d+"],
    "training_metrics_patterns": [r"Iter (?P<step>\d+), Loss= (?P<loss>[0-9.]+)"],
    "training_run_on": "localhost",
}


def test_the_defaults_have_no_problem():
    assert set(GOOD) == set(SETTINGS)
    assert problems(GOOD) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"training_restapi_url": "192.0.2.10:31000"}, "training_restapi_url: 192.0.2.10:31000 is not an http://"),
        ({"training_data_bucket": "A"}, "training_data_bucket: A is not a bucket name"),
        ({"training_results_bucket": "tf_training_data"}, "training_results_bucket: tf_training_data is also"),
        ({"training_data_files": []}, "training_data_files: empty"),
        ({"training_data_files": [{"name": "a/b", "checksum": "md5:" + "0" * 32}]}, "training_data_files: {"),
        ({"training_data_files": [("a", "b")]}, "training_data_files: ('a', 'b') needs a name"),
        ({"training_data_files": [{"name": "a.gz", "checksum": "crc32:1234"}]}, "training_data_files: a.gz needs"),
        (
            {"training_data_files": [{"name": "a", "checksum": "0" * 64}, {"name": "a", "checksum": "0" * 64}]},
            "training_data_files: the same name is listed twice",
        ),
        ({"training_data_dir": "data"}, "training_data_dir: data is not an absolute path"),
        ({"training_data_mirrors": []}, "training_data_mirrors: empty and training_data_dir not set"),
        ({"training_data_mirrors": ["ftp://x/"]}, "training_data_mirrors: ftp://x/ is not"),
        ({"training_work_dir": "tmp"}, "training_work_dir: tmp is not an absolute path"),
        ({"training_model_dir": "model"}, "training_model_dir: model is not an absolute path"),
        ({"training_manifest_file": "/nonexistent/m.yml"}, "training_manifest_file: /nonexistent/m.yml is not a"),
        ({"training_manifest_overrides": ["cpus"]}, "training_manifest_overrides: must be a mapping"),
        ({"training_timeout": 0}, "training_timeout: 0 is not a whole number above zero"),
        ({"training_iters": "ten"}, "training_iters: ten is not a whole number above zero"),
        ({"training_log_lines": True}, "training_log_lines: True is not a whole number"),
        ({"training_learning_rate": 0}, "training_learning_rate: 0 is not a number above zero"),
        ({"training_learning_rate": "fast"}, "training_learning_rate: fast is not a number above zero"),
        ({"training_aws_profile": "my profile"}, "training_aws_profile: my profile is not a profile name"),
        ({"training_accuracy_regex": "Accuracy: [0-9.]+"}, "training_accuracy_regex: 'Accuracy: [0-9.]+' has no"),
        ({"training_metrics_patterns": ["Loss (?P<loss>.+)"]}, "training_metrics_patterns: 'Loss (?P<loss>.+)' has"),
        ({"training_progress_patterns": ["Iter (\\d+"]}, "training_progress_patterns: 'Iter (\\\\d+' is not"),
        ({"training_run_on": ""}, "training_run_on: empty"),
    ],
)
def test_each_problem_names_its_variable(change, message):
    found = problems(dict(GOOD, **change))
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_small_learning_rate_in_exponent_form_is_a_number():
    assert problems(dict(GOOD, training_learning_rate=1e-05)) == []


def test_manifest_problems_name_the_variable_they_came_from_unless_a_file_or_overrides_made_the_manifest(tmp_path):
    variables = {"memory": "training_memory"}
    found = problems(GOOD, ["memory: 1.5Gb is not a size FfDL reads"], variables)
    assert found == ["training_memory: FfDL would refuse the manifest, memory: 1.5Gb is not a size FfDL reads"]
    manifest = tmp_path / "manifest.yml"
    manifest.write_text("name: x\n")
    from_file = problems(dict(GOOD, training_manifest_file=str(manifest)), ["memory: bad"], variables)
    assert from_file == ["FfDL would refuse the training manifest %s: memory: bad" % manifest]
    overridden = problems(dict(GOOD, training_manifest_overrides={"memory": "1.5Gb"}), ["memory: bad"], variables)
    assert overridden == ["FfDL would refuse the training manifest: memory: bad"]


def test_settings_that_are_not_all_there_are_a_mistake_of_the_role():
    with pytest.raises(AnsibleFilterError, match="settings lack training_run_on"):
        problems({key: value for key, value in GOOD.items() if key != "training_run_on"})
    with pytest.raises(AnsibleFilterError, match="takes a mapping"):
        problems(["training_run_on"])
