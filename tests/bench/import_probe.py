"""Run in a fresh Python: imports one native module file and prints, as JSON,
how long the import took and how much resident memory it added."""

import importlib.util
import json
import sys
import time


def resident_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(path):
    before = resident_kib()
    start = time.perf_counter()
    if path:
        spec = importlib.util.spec_from_file_location("_kut_native", path)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    seconds = time.perf_counter() - start
    print(json.dumps({"ms": seconds * 1000, "rss_kib": resident_kib() - before}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
