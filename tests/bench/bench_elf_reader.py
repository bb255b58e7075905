"""Listing every section (name, address, size, flags) of an ELF with tens of
thousands of sections: kut's native ElfImage against pyelftools and against
running `readelf -SW` and parsing its output."""

import subprocess
import sys
import time

from elftools.elf.elffile import ELFFile

import gen_many_sections
from measure import interleaved, summarize
from paths import program
from table import Row

REPEAT = 10
GOAL_SPEEDUP = 10.0


def native_sections(module, path):
    """The native reader's bulk listing: one call, one (name, address, size,
    flags, type, offset) tuple per section."""
    return module.ElfImage(path).section_table()


def pyelftools_sections(path):
    with open(path, "rb") as stream:
        return [(s.name, s["sh_addr"], s["sh_size"], s["sh_flags"])
                for s in ELFFile(stream).iter_sections()]


def readelf_sections(path):
    """Runs readelf -SW and parses its table; flags stay readelf's letters."""
    output = subprocess.run([program("readelf"), "-SW", path], check=True,
                            capture_output=True, text=True).stdout
    sections = []
    for line in output.splitlines():
        head, bracket, rest = line.partition("]")
        if not bracket or not head.strip().startswith("[") or "Nr" in head:
            continue
        fields = rest.split()
        if head.strip("[ ") == "0":  # the null section has no name
            fields.insert(0, "")
        name, _, address, _, size, _ = fields[:6]
        flags = fields[6] if len(fields) == 10 else ""
        sections.append((name, int(address, 16), int(size, 16), flags))
    return sections


def check_agree(native, pyelftools, readelf):
    """All three must read the same table, or the race is not fair."""
    without_flags = [[entry[:3] for entry in listing] for listing in (native, pyelftools, readelf)]
    if not (without_flags[0] == without_flags[1] == without_flags[2]) or native != pyelftools:
        raise SystemExit("the readers disagree about the section table")
    return len(native)


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def run(repeat=REPEAT):
    from kut_load import native
    module = native.load()
    path = gen_many_sections.build()
    count = check_agree([row[:4] for row in native_sections(module, path)],
                        pyelftools_sections(path), readelf_sections(path))
    runs = interleaved({"native": lambda: timed(native_sections, module, path),
                        "pyelftools": lambda: timed(pyelftools_sections, path),
                        "readelf": lambda: timed(readelf_sections, path),
                        "constructor": lambda: timed(module.ElfImage, path)}, repeat)
    ms = {name: summarize(samples) for name, samples in runs.items()}
    fastest = min(("pyelftools", "readelf"), key=lambda name: ms[name].median)
    speedup = ms[fastest].median / ms["native"].median
    return [
        Row("%d sections: native vs pyelftools" % count, ms["native"], ms["pyelftools"], "ms",
            "informational", None),
        Row("%d sections: native vs readelf -SW" % count, ms["native"], ms["readelf"], "ms",
            # The ratio column is time over the baseline's: 10x faster is <= 0.10x.
            "<= %.2fx (%.0fx faster than %s)" % (1 / GOAL_SPEEDUP, GOAL_SPEEDUP, fastest),
            speedup >= GOAL_SPEEDUP,
            note="native is %.1fx faster than %s; ElfImage() alone takes %.1f ms of its %.1f ms,"
                 " the rest is making the list of tuples"
                 % (speedup, fastest, ms["constructor"].median, ms["native"].median)),
    ]


if __name__ == "__main__":
    from table import render
    print(render(run(int(sys.argv[1]) if len(sys.argv) > 1 else REPEAT)))
