#!/usr/bin/env bash
# Gate: ffdl.platform as its users get it. Outside this repository:
#   1. a directory of collection tarballs: the built ffdl.platform plus its
#      dependencies at the versions this ansible-core line tests with;
#   2. `ansible-galaxy collection install -r requirements.yml` from there, with
#      this repo's requirements.yml ranges (requirements-2.16.yml for
#      collections-2.16; a range that does not cover the tested version fails
#      the install);
#   3. an infra-style playbook that uses the roles by FQCN (`roles:`,
#      `import_role`, `include_role`) and calls the modules, against a systemd
#      container, twice: the second run must change nothing.
#
#   scripts/consumer.sh [COLLECTIONS_DIR [install-only]]   (default: collections-2.19)
# install-only stops after step 2 (the ansible-core 2.16 leg: its collection
# versions must satisfy the same ranges).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=$repo/${1:-collections-2.19}/ansible_collections
# the ansible-core line's own requirements file where it has one (requirements-2.16.yml)
line=${1:-collections-2.19}
requirements=$repo/requirements.yml
[ -f "$repo/requirements-${line#collections-}.yml" ] && requirements=$repo/requirements-${line#collections-}.yml
project=$(mktemp -d /tmp/ffdl-consumer.XXXXXX)
container=ffdl-consumer-$$
cleanup() {
    docker rm -f "$container" >/dev/null 2>&1 || true
    rm -rf "$project"
}
trap cleanup EXIT
mkdir -p "$project/tarballs"

# 1. the tarballs
ansible-galaxy collection build --force --output-path "$project/tarballs" "$repo" >/dev/null
python - "$requirements" "$deps" "$project" <<'PY'
import hashlib, json, pathlib, shutil, subprocess, sys, yaml
requirements, deps, project = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
wanted = yaml.safe_load(open(requirements))["collections"]
ffdl = sorted((project / "tarballs").glob("ffdl-platform-*.tar.gz"))[-1]
lines = [{"name": str(ffdl), "type": "file"}]
for req in wanted:
    namespace, name = req["name"].split(".")
    source = deps / namespace / name
    version = json.loads((source / "MANIFEST.json").read_text())["collection_info"]["version"]
    tarball = project / "tarballs" / f"{namespace}-{name}-{version}.tar.gz"
    # The PyPI ansible bundle drops tests and docs from the collections it
    # ships but keeps their FILES.json: list only what is there, as a
    # Galaxy tarball of this content would, and re-sign it in MANIFEST.json.
    files = json.loads((source / "FILES.json").read_text())
    files["files"] = [e for e in files["files"] if e["name"] == "." or (source / e["name"]).exists()]
    stage = project / "stage" / f"{namespace}.{name}"
    shutil.copytree(source, stage, ignore=shutil.ignore_patterns("__pycache__"))
    (stage / "FILES.json").write_bytes(json.dumps(files, indent=4).encode())
    manifest = json.loads((source / "MANIFEST.json").read_text())
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256((stage / "FILES.json").read_bytes()).hexdigest()
    (stage / "MANIFEST.json").write_text(json.dumps(manifest, indent=4))
    members = sorted(p.name for p in stage.iterdir())
    subprocess.run(["tar", "-C", str(stage), "-czf", str(tarball), *members], check=True)
    lines.append({"name": str(tarball), "type": "file", "version": req["version"]})
(project / "requirements.yml").write_text(yaml.safe_dump({"collections": lines}, sort_keys=False))
print(f"{len(lines)} tarballs in {project / 'tarballs'}")
PY

# 2. the install, as a user does it
cat >"$project/ansible.cfg" <<'CFG'
[defaults]
collections_path = ./collections
interpreter_python = auto_silent
CFG
export ANSIBLE_CONFIG=$project/ansible.cfg
unset ANSIBLE_COLLECTIONS_PATH
cd "$project"
ansible-galaxy collection install --offline -r requirements.yml -p ./collections
ansible-galaxy collection list -p ./collections 2>/dev/null | grep -E '^(ffdl|kubernetes|amazon|community|ansible)\.'
test ! -L collections/ansible_collections/ffdl/platform
if [ "${2:-}" = install-only ]; then
    echo "$(basename "$requirements") resolves from the tarballs of $line"
    exit 0
fi

# 3. an existing infra playbook that imports the roles and calls the modules
docker run -d --name "$container" --cap-add SYS_ADMIN --cap-add NET_ADMIN \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
    --stop-signal SIGRTMIN+3 ffdl-test/debian-bookworm:latest /lib/systemd/systemd >/dev/null
printf '[infra]\n%s ansible_connection=community.docker.docker\n' "$container" >inventory
mkdir -p model
printf 'print("hello")\n' >model/train.py
cat >site.yml <<'YAML'
---
- name: An infra play that takes the ssh role through the roles keyword
  hosts: infra
  roles:
    - role: ffdl.platform.ssh

- name: The same role through import_role and include_role, and the modules
  hosts: infra
  tasks:
    - name: Import the ssh role (static)
      ansible.builtin.import_role:
        name: ffdl.platform.ssh

    - name: Include only the ssh role's input checks (dynamic, tasks_from)
      ansible.builtin.include_role:
        name: ffdl.platform.ssh
        tasks_from: validate

    - name: Pack a model directory with the collection's module
      ffdl.platform.model_definition:
        src: /root/model
        dest: /root/model.zip
      register: packed

    - name: The collection's filter finds nothing wrong in a complete manifest
      ansible.builtin.assert:
        that:
          - packed.sha256 | length == 64
          - (manifest | ffdl.platform.manifest_problems) == []
      vars:
        manifest:
          name: consumer
          version: "1.0"
          framework: {name: tensorflow, version: 1.5.0-py3, command: python3 train.py}
          learners: 1
          cpus: 0.5
          memory: 1Gb
          data_stores:
            - id: sl-internal-os
              type: s3_datastore
              training_data: {container: tf_training_data}
              training_results: {container: tf_trained_model}
              connection: {auth_url: "http://s3", user_name: test, password: test}
YAML
docker cp model "$container:/root/model"
ansible-playbook -i inventory site.yml | tee first.log
ansible-playbook -i inventory site.yml | tee second.log
grep -q -E 'changed=0 +unreachable=0 +failed=0' second.log || {
    echo "the second run of the consumer playbook changed something"
    exit 1
}
echo "roles and modules work from the installed tarball; the second run changed nothing"
