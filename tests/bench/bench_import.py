"""Importing the native module in a fresh Python: the default build (static
LLVM components) against the -DKUT_LLVM_SHARED=ON build (libLLVM-14.so),
each against a fresh Python that imports nothing."""

import glob
import importlib.machinery
import json
import os
import subprocess
import sys

from measure import interleaved, summarize
from paths import BENCH_DIR, BUILD, REPO, SHARED_BUILD, SYSTEM_PYTHON, program
from table import Row

REPEAT = 15
PROBE = os.path.join(BENCH_DIR, "import_probe.py")


def module_in(build):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    matches = glob.glob(os.path.join(build, "native", "_kut_native" + suffix))
    return matches[0] if matches else None


def build_shared_variant():
    """Configures and builds build-shared/ (incremental after the first time)."""
    cmake = program("cmake")
    steps = [[cmake, "--build", SHARED_BUILD, "-j2", "--target", "_kut_native"]]
    if not os.path.isfile(os.path.join(SHARED_BUILD, "CMakeCache.txt")):
        steps.insert(0, [cmake, "-S", REPO, "-B", SHARED_BUILD, "-DKUT_LLVM_SHARED=ON"])
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit("%s failed:\n%s%s" % (" ".join(step), result.stdout, result.stderr))
    return module_in(SHARED_BUILD)


def probe(path):
    output = subprocess.run([SYSTEM_PYTHON, PROBE] + ([path] if path else []), check=True,
                            capture_output=True, text=True).stdout
    result = json.loads(output)
    return result["ms"], result["rss_kib"] / 1024


def run(repeat=REPEAT):
    static = module_in(BUILD)
    if not static:
        raise SystemExit("no native module in %s: build the project first" % BUILD)
    shared = build_shared_variant()
    runs = interleaved({"static": lambda: probe(static), "shared": lambda: probe(shared),
                        "nothing": lambda: probe("")}, repeat)
    ms = {name: summarize([m for m, _ in samples]) for name, samples in runs.items()}
    mib = {name: summarize([r for _, r in samples]) for name, samples in runs.items()}
    size = {name: os.path.getsize(path) / 2**20 for name, path in (("static", static),
                                                                   ("shared", shared))}
    return [
        Row("import, static LLVM vs shared libLLVM", ms["static"], ms["shared"], "ms",
            "faster than shared", ms["static"].median < ms["shared"].median,
            note="module files: static %.1f MiB, shared %.1f MiB plus libLLVM-14.so"
                 % (size["static"], size["shared"])),
        Row("import RSS, static LLVM vs shared libLLVM", mib["static"], mib["shared"], "MiB",
            "smaller than shared", mib["static"].median < mib["shared"].median,
            note="a fresh Python importing nothing grows by %.2f MiB over the same span"
                 % mib["nothing"].median),
    ]


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
