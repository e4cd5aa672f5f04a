# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ffdl.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The command line a systemd unit really starts, from ``systemctl show`` output.

Written for systemd 219 (CentOS/RHEL 7), whose ``systemctl show`` has no
``--value``: properties are read as ``Key=value`` lines. ``ExecStart`` keeps
``$VAR`` and ``${VAR}`` unexpanded (EL7's docker unit ends in ``$OPTIONS
$DOCKER_STORAGE_OPTIONS ...``), so the environment is rebuilt the way systemd
builds it at exec time (``Environment=``, then each ``EnvironmentFile=`` in
order, later assignments winning) and the command line is expanded with
systemd's rules: a ``$VAR`` word splits on whitespace, ``${VAR}`` stays one
word, unset variables expand to nothing.

Pure functions, no I/O: the module passes file contents in. Python 2.7 and
3.6 compatible (EL7's interpreters).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_VAR_WORD = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
_VAR_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


def parse_show(text):
    """``systemctl show -p A -p B`` output to {property: [values]} (a property may repeat, like EnvironmentFile)."""
    props = {}
    for line in text.splitlines():
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        props.setdefault(key, []).append(value)
    return props


def exec_start_argvs(values):
    """The argv strings of ExecStart values.

    Such as ``{ path=/usr/bin/dockerd ; argv[]=/usr/bin/dockerd -H fd:// ; ... }``.
    """
    argvs = []
    for value in values:
        for match in re.finditer(r"argv\[\]=(.*?) ; ", value + " ; "):
            argvs.append(match.group(1).strip())
    return [a for a in argvs if a]


def environment_files(values):
    """``EnvironmentFile(s)=`` values: [(path, optional)].

    systemd 219 prints ``/etc/sysconfig/docker (ignore_errors=yes)``.
    """
    files = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        match = re.match(r"^(.*?)\s*\(ignore_errors=(yes|no)\)$", value)
        if match:
            # some versions keep the "-" (optional) prefix in front of the path too
            path = match.group(1)
            files.append((path.lstrip("-"), match.group(2) == "yes" or path.startswith("-")))
        elif value.startswith("-"):
            files.append((value[1:], True))
        else:
            files.append((value, False))
    return files


def _unquote_words(text):
    """Split ``A=1 B="two words" C='x'`` into words, honouring double and single quotes."""
    words, word, quote, have = [], [], None, False
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and i + 1 < len(text):
                i += 1
                word.append(text[i])
            else:
                word.append(char)
        elif char in "\"'":
            quote, have = char, True
        elif char.isspace():
            if word or have:
                words.append("".join(word))
            word, have = [], False
        else:
            word.append(char)
            have = True
        i += 1
    if word or have:
        words.append("".join(word))
    return words


def parse_environment_property(values):
    """``Environment=`` property values (space-separated assignments) to a dict."""
    env = {}
    for value in values:
        for word in _unquote_words(value):
            match = _ASSIGNMENT.match(word)
            if match:
                env[match.group(1)] = match.group(2)
    return env


def parse_environment_file(text):
    """Assignments of an EnvironmentFile, as systemd reads it.

    ``KEY=value`` lines; ``#`` and ``;`` comment lines; single or double
    quotes around the value are removed; a backslash at the end of a line
    continues it. Lines that are not assignments (EL7's /etc/sysconfig/docker
    has a shell ``if``) are ignored, as systemd ignores them.
    """
    env = {}
    logical = []
    pending = ""
    for line in text.splitlines():
        if pending:
            line = pending + line
            pending = ""
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending = line[:-1]
            continue
        logical.append(line)
    if pending:
        logical.append(pending)
    for line in logical:
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        match = _ASSIGNMENT.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
            if line.split("=", 1)[1].strip()[0] == '"':
                value = re.sub(r"\\(.)", r"\1", value)
        env[key] = value
    return env


def expand_argv(argv_text, env):
    """Expand a unit's ExecStart argv with systemd's rules; returns (argv list, names of unset variables)."""
    unset = []
    out = []
    for word in argv_text.split():
        match = _VAR_WORD.match(word)
        if match:
            name = match.group(1)
            if name in env:
                out.extend(env[name].split())
            else:
                unset.append(name)
            continue

        def braced(m):
            if m.group(1) not in env:
                unset.append(m.group(1))
            return env.get(m.group(1), "")

        word = _VAR_BRACED.sub(braced, word)
        if word:
            out.append(word)
    return out, unset


def parse_flags(argv):
    """Flags of a daemon's argv (program name excluded): {name: [values]}; booleans get "true".

    ``--name=value``, ``--name value``, ``-H value`` and bare ``--flag`` forms.
    A token not starting with ``-`` after a flag is that flag's value.
    """
    flags = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if not token.startswith("-") or token in ("-", "--"):
            i += 1
            continue
        name = token.lstrip("-")
        if "=" in name:
            name, value = name.split("=", 1)
        elif i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            value = argv[i + 1]
            i += 1
        else:
            value = "true"
        flags.setdefault(name, []).append(value)
        i += 1
    return flags


def effective_command_line(show_text, read_file):
    """Everything the docker role needs to know about a unit's command line.

    ``read_file(path)`` returns a file's text or None when it does not exist.
    """
    props = parse_show(show_text)
    env = parse_environment_property(props.get("Environment", []))
    missing = []
    # the D-Bus property is EnvironmentFiles; systemd 219 prints each entry as
    # "EnvironmentFile=", newer versions as "EnvironmentFiles="
    files = environment_files(props.get("EnvironmentFile", []) + props.get("EnvironmentFiles", []))
    for path, optional in files:
        text = read_file(path)
        if text is None:
            if not optional:
                missing.append(path)
            continue
        env.update(parse_environment_file(text))
    argvs = exec_start_argvs(props.get("ExecStart", []))
    argv, unset = expand_argv(argvs[-1], env) if argvs else ([], [])
    return {
        "load_state": (props.get("LoadState") or [""])[0],
        "active_state": (props.get("ActiveState") or [""])[0],
        "main_pid": int((props.get("MainPID") or ["0"])[0] or 0),
        "drop_in_paths": " ".join(props.get("DropInPaths", [])).split(),
        "environment_files": [entry[0] for entry in files],
        "missing_environment_files": missing,
        "exec_start": argvs[-1] if argvs else "",
        "argv": argv,
        "unset_variables": sorted(set(unset)),
        "flags": parse_flags(argv[1:]),
    }
