"""ffdl.platform.helm2_releases against a Tiller that answers as Helm 2.17's client prints it (JSON outputs).

The real client and Tiller run in the integration tests (test_ffdl_role.py); here a
recorded-shape stand-in checks the decisions: what is read, what is run, what changes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import stat

import pytest

from ansible_collections.ffdl.platform.plugins.modules import helm2_releases as mod


class FakeTiller:
    """Releases by name, each a list of revisions {status, chart, values}; helm commands applied to them."""

    def __init__(self, monkeypatch, charts):
        self.releases = {}
        self.commands = []
        self.charts = charts  # chart dir -> name-version
        monkeypatch.setattr(mod.AnsibleModule, "run_command", lambda _m, argv, **kw: self.run(argv[1:], kw))

    def deploy(self, name, chart, values, status="DEPLOYED"):
        for revision in self.releases.setdefault(name, []):
            if revision["status"] == "DEPLOYED":
                revision["status"] = "SUPERSEDED"
        self.releases[name].append({"status": status, "chart": chart, "values": values})

    def run(self, args, kwargs):
        assert kwargs["environ_update"] == {"HELM_HOME": "/root/.helm"}
        assert args[-2:] == ["--kube-context", "ffdl"], args  # helm_args come last
        args = args[:-2]
        self.commands.append(" ".join(args[:2]))
        verb = args[0]
        if verb == "list":
            rows = [
                {"Name": n, "Status": r[-1]["status"], "Chart": r[-1]["chart"]} for n, r in self.releases.items() if r
            ]
            return 0, json.dumps({"Releases": rows}) if rows else "", ""
        if verb == "history":
            if args[1] not in self.releases:
                return 1, "", 'Error: release: "%s" not found' % args[1]
            return 0, json.dumps([{"status": r["status"], "chart": r["chart"]} for r in self.releases[args[1]]]), ""
        if verb == "get":  # Tiller's GetReleaseContent without a version: the latest revision
            latest = self.releases[args[2]][-1]
            return 0, json.dumps(latest["values"]) if latest["values"] else "", ""
        if verb == "delete":
            del self.releases[args[2]]
            return 0, "release deleted", ""
        if verb == "upgrade":
            name, chart, values_file = args[2], args[3], args[args.index("-f") + 1]
            with open(values_file) as handle:
                values = json.load(handle)
            if any(
                r["status"] in ("DEPLOYED", "SUPERSEDED") for r in self.releases.get(name, [])
            ) or not self.releases.get(name):
                self.deploy(name, self.charts[chart], values)
                return 0, "upgraded", ""
            return 1, "", 'Error: UPGRADE FAILED: "%s" has no deployed releases' % name
        raise AssertionError(args)


@pytest.fixture
def bed(tmp_path, monkeypatch):
    charts = {}
    for name, version in (("ffdl-helper", "0.1.1"), ("ffdl-core", "1.10")):
        chart = tmp_path / "charts" / name
        chart.mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v1\nname: %s\nversion: %s  # as published\n" % (name, version))
        charts[str(chart)] = "%s-%s" % (name, version)
    config = tmp_path / "config"
    config.mkdir()
    (config / "key.pub").write_text("ssh-rsa AAAA ffdl-learners\n")
    (config / "key").write_text("-----BEGIN RSA PRIVATE KEY-----\nsecret\n-----END RSA PRIVATE KEY-----\n")
    tiller = FakeTiller(monkeypatch, charts)
    return tmp_path, config, tiller


def args(tmp_path, config, **over):
    releases = [
        {"name": "ffdl-helper", "chart": str(tmp_path / "charts/ffdl-helper"), "values": {"namespace": "ffdl"}},
        {
            "name": "ffdl-core",
            "chart": str(tmp_path / "charts/ffdl-core"),
            "values": {"namespace": "ffdl", "learner": {"tag": "master-97"}},
            "value_files": {
                "rsapubkey": {"path": str(config / "key.pub"), "strip": True},
                "rsaprikey": {"path": str(config / "key")},
            },
            "secret": True,
        },
    ]
    base = dict(
        releases=releases,
        namespace="ffdl",
        values_dir=str(config),
        timeout=120,
        helm_bin="/usr/local/bin/helm",
        helm_args=["--kube-context", "ffdl"],
        helm_env={"HELM_HOME": "/root/.helm"},
    )
    base.update(over)
    return base


def test_installs_in_order_then_a_converged_run_reads_once_and_changes_nothing(run_module, bed):
    tmp_path, config, tiller = bed
    result, failed = run_module(mod, args(tmp_path, config))
    assert not failed, result
    assert result["changed"] and [r["action"] for r in result["releases"]] == ["install", "install"]
    assert [c for c in tiller.commands if c.startswith("upgrade")] == ["upgrade --install"] * 2
    # the key files' text, the public key stripped; the values file 0600
    core = tiller.releases["ffdl-core"][-1]
    assert core["values"]["rsapubkey"] == "ssh-rsa AAAA ffdl-learners"
    assert core["values"]["rsaprikey"].endswith("-----END RSA PRIVATE KEY-----\n")
    assert core["chart"] == "ffdl-core-1.10"  # Chart.yaml's version as written, not the float 1.1
    assert stat.S_IMODE((config / "ffdl-core-values.yaml").stat().st_mode) == 0o600
    # a converged run: one list, the values of each release, nothing run that changes anything
    tiller.commands.clear()
    result, failed = run_module(mod, args(tmp_path, config))
    assert not failed and not result["changed"], result
    assert tiller.commands == ["list --all", "get values", "get values"]
    assert [r["action"] for r in result["releases"]] == ["none", "none"]


def test_only_the_release_whose_values_or_chart_differ_is_upgraded(run_module, bed):
    tmp_path, config, tiller = bed
    run_module(mod, args(tmp_path, config))
    tiller.releases["ffdl-core"][-1]["values"]["learner"]["tag"] = "edited-by-hand"
    tiller.commands.clear()
    result, failed = run_module(mod, args(tmp_path, config), diff=True)
    assert not failed and result["changed"]
    assert [r["action"] for r in result["releases"]] == ["none", "upgrade"]
    assert tiller.releases["ffdl-core"][-1]["values"]["learner"]["tag"] == "master-97"
    # the secret release's values are not in the diff
    assert [d["before"] for d in result["diff"]] == ["(values hidden)\n"]
    tiller.releases["ffdl-helper"][-1]["chart"] = "ffdl-helper-0.1.0"
    result, failed = run_module(mod, args(tmp_path, config))
    assert [r["action"] for r in result["releases"]] == ["upgrade", "none"]


def test_a_release_that_never_deployed_is_purged_and_installed_with_a_warning(run_module, bed, monkeypatch):
    tmp_path, config, tiller = bed
    tiller.deploy("ffdl-helper", "ffdl-helper-0.1.1", {"namespace": "ffdl"}, status="FAILED")
    warnings = []
    monkeypatch.setattr(mod.AnsibleModule, "warn", lambda _m, text: warnings.append(text))
    # check mode: Tiller is read, the history too (the listing says FAILED), nothing changes
    result, failed = run_module(mod, args(tmp_path, config), check_mode=True)
    assert not failed and result["changed"] and result["pending"] and result["purged"] == ["ffdl-helper"]
    assert "history ffdl-helper" in tiller.commands
    assert not [c for c in tiller.commands if c.split()[0] in ("delete", "upgrade")]
    assert not (config / "ffdl-helper-values.yaml").exists()
    assert "had only FAILED revisions" in warnings[0] and "it would be purged" in warnings[0]
    result, failed = run_module(mod, args(tmp_path, config))
    assert not failed and result["releases"][0]["action"] == "purge and install", result
    assert "delete --purge" in tiller.commands
    assert [r["status"] for r in tiller.releases["ffdl-helper"]] == ["DEPLOYED"]
    assert "it was purged" in warnings[-1]


def test_a_failed_upgrade_of_a_deployed_release_is_upgraded_again_not_purged(run_module, bed):
    tmp_path, config, tiller = bed
    run_module(mod, args(tmp_path, config))
    tiller.deploy("ffdl-helper", "ffdl-helper-0.1.1", {"namespace": "other"}, status="FAILED")
    result, failed = run_module(mod, args(tmp_path, config))
    assert not failed and result["releases"][0]["action"] == "upgrade" and result["purged"] == []


def test_absent_deletes_only_what_tiller_knows_in_the_order_given(run_module, bed):
    tmp_path, config, tiller = bed
    run_module(mod, args(tmp_path, config))
    tiller.commands.clear()
    names = [{"name": "ffdl-core"}, {"name": "ffdl-helper"}, {"name": "ibmcloud-object-storage-plugin"}]
    result, failed = run_module(mod, args(tmp_path, config, releases=names, state="absent"), check_mode=True)
    assert not failed and result["changed"] and tiller.commands == ["list --all"]
    result, failed = run_module(mod, args(tmp_path, config, releases=names, state="absent"))
    assert [r["action"] for r in result["releases"]] == ["delete", "delete", "none"]
    assert tiller.commands[-2:] == ["delete --purge", "delete --purge"] and tiller.releases == {}
    result, failed = run_module(mod, args(tmp_path, config, releases=names, state="absent"))
    assert not failed and not result["changed"]


def test_a_missing_key_file_fails_naming_the_release_before_anything_runs(run_module, bed):
    tmp_path, config, tiller = bed
    (config / "key").unlink()
    result, failed = run_module(mod, args(tmp_path, config))
    assert failed and result["msg"].startswith("release ffdl-core:") and "nothing was installed" in result["msg"]
    assert tiller.commands == [] and not (config / "ffdl-helper-values.yaml").exists()
