"""Upstream kvm-unit-tests trees, built once per configuration into a cache.

The source is the tarball in ../shared/upstream (a `git archive` of a tag), or
the tree named by KUT_SOURCE. Each configuration is configured and built in
its own copy under KUT_UPSTREAM_CACHE (default ~/.cache/kut-load/upstream),
keyed by the source's name and the configure line, and reused between runs.
The configure lines are kvm-unit-tests' own (./configure --help).
"""

import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_UPSTREAM = os.path.join(os.path.dirname(REPO), "shared", "upstream")

# name -> (configure arguments, QEMU binary, architecture directory in the tree)
CONFIGURATIONS = {
    "arm64": (["--arch=arm64", "--cross-prefix=aarch64-linux-gnu-"], "qemu-system-aarch64", "arm"),
    "arm": (["--arch=arm", "--cross-prefix=arm-linux-gnueabihf-"], "qemu-system-arm", "arm"),
    "riscv64": (["--arch=riscv64", "--cross-prefix=riscv64-linux-gnu-"], "qemu-system-riscv64",
                "riscv"),
    "x86_64": (["--arch=x86_64"], "qemu-system-x86_64", "x86"),
    "i386": (["--arch=i386", "--cross-prefix=i686-linux-gnu-"], "qemu-system-i386", "x86"),
    "ppc64le": (["--arch=ppc64", "--endian=little", "--cross-prefix=powerpc64le-linux-gnu-"],
                "qemu-system-ppc64", "powerpc"),
    "ppc64be": (["--arch=ppc64", "--endian=big", "--cross-prefix=powerpc64-linux-gnu-"],
                "qemu-system-ppc64", "powerpc"),
    "s390x": (["--arch=s390x", "--cross-prefix=s390x-linux-gnu-"], "qemu-system-s390x", "s390x"),
    "arm64-efi": (["--arch=arm64", "--cross-prefix=aarch64-linux-gnu-", "--enable-efi"],
                  "qemu-system-aarch64", "arm"),
    "x86_64-efi": (["--arch=x86_64", "--enable-efi"], "qemu-system-x86_64", "x86"),
    "riscv64-efi": (["--arch=riscv64", "--cross-prefix=riscv64-linux-gnu-", "--enable-efi"],
                    "qemu-system-riscv64", "riscv"),
}

# What run_tests.sh is given for a TCG run here: two CPUs at most (2 cores).
TCG_ENVIRONMENT = {"MAX_SMP": "2"}

HOW_TO_GIVE_A_SOURCE = ("set KUT_SOURCE to a kvm-unit-tests tree or tarball, or put "
                        "kvm-unit-tests-*.tar.gz in %s" % SHARED_UPSTREAM)


def _origin_checkout():
    """The local checkout this one was cloned from, if any (a CI clone's origin)."""
    try:
        url = subprocess.run(["git", "-C", REPO, "config", "remote.origin.url"],
                             capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
    return url if url and os.path.isdir(url) else None


def source():
    """The kvm-unit-tests source to build: a directory or a .tar.gz path, or None.

    KUT_SOURCE, else the newest kvm-unit-tests-*.tar.gz in shared/upstream
    beside this checkout or beside the checkout it was cloned from."""
    named = os.environ.get("KUT_SOURCE")
    if named:
        return os.path.abspath(named)
    places = [SHARED_UPSTREAM]
    origin = _origin_checkout()
    if origin:
        places.append(os.path.join(os.path.dirname(os.path.abspath(origin)), "shared", "upstream"))
    for place in places:
        tarballs = sorted(glob.glob(os.path.join(place, "kvm-unit-tests-*.tar.gz")))
        if tarballs:
            return tarballs[-1]
    return None


def cache_root():
    return os.environ.get("KUT_UPSTREAM_CACHE",
                          os.path.join(os.path.expanduser("~"), ".cache", "kut-load", "upstream"))


def _source_key(path):
    """A key that changes when the source does: the tarball's digest, or a tree's path and mtime."""
    if os.path.isfile(path):
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()[:16]
    return hashlib.sha256(("%s:%d" % (path, os.stat(path).st_mtime_ns)).encode()).hexdigest()[:16]


def _unpack(path, into):
    if os.path.isdir(path):
        shutil.copytree(path, into, symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "logs", "*.o", "*.elf", "*.flat",
                                                      "*.efi"))
        return
    with tarfile.open(path) as archive:
        top = os.path.commonpath(archive.getnames())
        # The "data" filter (where this Python has it) refuses links out of the tree.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(os.path.dirname(into), **safe)
    os.rename(os.path.join(os.path.dirname(into), top), into)


def config_mak(tree):
    """{variable: value} of a built tree's config.mak."""
    values = {}
    with open(os.path.join(tree, "config.mak")) as config:
        for line in config:
            name, equals, value = line.rstrip("\n").partition("=")
            if equals and not name.startswith("#"):
                values[name] = value
    return values


def test_dir(tree):
    """The tree's TEST_DIR (arm, x86, powerpc, ...), where unittests.cfg is."""
    return config_mak(tree)["TEST_DIR"]


def is_efi(tree):
    return config_mak(tree).get("CONFIG_EFI") == "y"


# How a toolchain other than upstream's refuses its build: Debian 11's gcc 10 refuses
# riscv64's -march=rv64imac_zicsr_..., sid's objcopy 2.47 the x86_64 EFI .so files.
TOOLCHAIN_REFUSAL = re.compile(r"unsupported ISA subset|unrecognized command[- ]line option"
                               r"|unrecognized argument in option|unknown architecture"
                               r"|objcopy: .*: file format not recognized")


class Unbuildable(Exception):
    """Upstream's source needs a newer compiler than this machine has."""


def tree(name, log=sys.stderr):
    """The path of a built tree for configuration `name`, building it first if needed.

    Raises Unbuildable when this machine's compiler refuses upstream's options,
    subprocess.CalledProcessError when configure or make fails otherwise, and
    LookupError when there is no source (HOW_TO_GIVE_A_SOURCE says what to set).
    """
    path = source()
    if path is None:
        raise LookupError(HOW_TO_GIVE_A_SOURCE)
    configure = CONFIGURATIONS[name][0]
    root = os.path.join(cache_root(), _source_key(path))
    built = os.path.join(root, name)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, name + ".lock"), "w") as lock:
        # Two test processes asking for the same tree build it once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(built, ".kut-built")):
            return built
        unbuildable = os.path.join(root, name + ".unbuildable")
        if os.path.exists(unbuildable):
            with open(unbuildable) as reason:
                raise Unbuildable(reason.read())
        # Built in place: config.mak records SRCDIR and ERRATATXT as absolute paths.
        shutil.rmtree(built, ignore_errors=True)
        _unpack(path, built)
        print("building upstream kvm-unit-tests %s in %s" % (name, built), file=log, flush=True)
        subprocess.run(["./configure"] + configure, cwd=built, check=True,
                       stdout=subprocess.DEVNULL)
        made = subprocess.run(["make", "-j%d" % (os.cpu_count() or 1)], cwd=built,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        refused = next((line for line in made.stderr.splitlines()
                        if TOOLCHAIN_REFUSAL.search(line)), None)
        if made.returncode != 0 and refused:
            reason = ("upstream kvm-unit-tests %s does not build with this machine's compiler: %s"
                      % (name, refused.strip()))
            with open(unbuildable, "w") as out:
                out.write(reason)
            raise Unbuildable(reason)
        if made.returncode != 0:
            raise subprocess.CalledProcessError(made.returncode, made.args, stderr=made.stderr)
        open(os.path.join(built, ".kut-built"), "w").close()
        return built


if __name__ == "__main__":
    if sys.argv[1:] == ["--source"]:
        # The source this checkout builds, for CI to hand to a chroot.
        found = source()
        print(found or HOW_TO_GIVE_A_SOURCE, file=sys.stdout if found else sys.stderr)
        sys.exit(0 if found else 1)
    for wanted in sys.argv[1:] or list(CONFIGURATIONS):
        print(tree(wanted))
