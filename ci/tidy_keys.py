#!/usr/bin/env python3
"""Prints "<key> <file>" for each source file named on stdin: the SHA-256 of
everything clang-tidy's verdict on that file depends on, namely the
preprocessed translation unit with comments kept (so every included header,
macro and NOLINT comment counts), the compile command, .clang-tidy and the
clang-tidy version. ci/quality.sh skips files whose key passed before.

usage: ci/tidy_keys.py BUILD_DIR CONFIG_FILE JOBS < files
"""
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys


def preprocess_command(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c" or a.startswith("-M"):  # no object, no dependency files
            if a in ("-MF", "-MT", "-MQ"):
                skip = True
            continue
        out.append(a)
    return out + ["-E", "-C", "-o", "-"]


def key_for(entry, salt):
    h = hashlib.sha256(salt)
    h.update(entry["command" if "command" in entry else "file"].encode())
    try:
        pre = subprocess.run(preprocess_command(entry), cwd=entry["directory"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        h.update(pre.stdout)
    except (subprocess.CalledProcessError, OSError):
        return "uncacheable-" + os.urandom(8).hex()  # always re-checked
    return h.hexdigest()


def main():
    build_dir, config, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        db = {os.path.realpath(e["file"]): e for e in json.load(f)}
    salt = open(config, "rb").read()
    salt += subprocess.run(["clang-tidy-14", "--version"], stdout=subprocess.PIPE).stdout
    files = [os.path.realpath(line.strip()) for line in sys.stdin if line.strip()]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {f: pool.submit(key_for, db[f], salt) for f in files if f in db}
        for f in files:
            key = futures[f].result() if f in futures else "not-in-database-" + os.urandom(8).hex()
            print(key, f)


if __name__ == "__main__":
    main()
