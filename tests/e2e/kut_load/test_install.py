"""The installed kut-load: `cmake --install` moved to another directory, and the
.deb from cpack unpacked into a fresh root, each run by the real gdb-multiarch
against real QEMU with nothing taken from the checkout or the build tree."""

import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD, REPO, guest_file
from guest_source import marker_line
from session import Qemu, require, run_gdb

MAIN_LINE = marker_line("first line of main")
STOPPED_AT_MAIN = re.compile(r"Breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) at \S+/main\.c:%d"
                             % MAIN_LINE)
# Where gdb's Python really imported kut-load from.
SHOW_ORIGIN = ["python import kut_load.native; print('module=' + kut_load.native.load().__file__)",
               "python import kut_load; print('package=' + kut_load.__file__)"]


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt")) as cmake:
        match = re.search(r"project\(kut-load\s+VERSION\s+([0-9.]+)", cmake.read())
    assert match, "no project(kut-load VERSION ...) in CMakeLists.txt"
    return match.group(1)


def gdb_python_version():
    out = subprocess.run([require("gdb-multiarch"), "-nx", "-batch", "-ex",
                          "python import sys; print('python=%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"python=(\d+)\.(\d+)", out).groups()


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, "%s failed:\n%s%s" % (argv, result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(autouse=True)
def no_checkout_overrides(monkeypatch):
    """The installed copy must find everything itself, not through the checkout's settings."""
    monkeypatch.delenv("KUT_LOAD_NATIVE_DIR", raising=False)
    monkeypatch.delenv("PYTHONPATH", raising=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """cmake --install into one directory, then moved elsewhere: (prefix, staging path)."""
    staged = tmp_path_factory.mktemp("staged") / "prefix"
    run(["cmake", "--install", BUILD, "--prefix", str(staged)])
    prefix = tmp_path_factory.mktemp("moved") / "prefix"
    shutil.move(str(staged), str(prefix))
    return str(prefix), str(staged)


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    """The .deb cpack builds from the build tree, written to a temporary directory."""
    out = tmp_path_factory.mktemp("deb")
    run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
         "-B", str(out)], cwd=str(out))
    packages = glob.glob(os.path.join(str(out), "*.deb"))
    assert len(packages) == 1, packages
    return packages[0]


def native_module(package_dir):
    modules = glob.glob(os.path.join(package_dir, "_kut_native*.so"))
    assert len(modules) == 1, "expected one native module in %s: %s" % (package_dir, modules)
    return modules[0]


def files_under(root):
    for directory, _, names in os.walk(root):
        for name in names:
            yield os.path.join(directory, name)


def assert_stops_at_main_from(prefix, gdbinit, tmp_path):
    elf = guest_file("arm64", "sample.elf")
    flat = guest_file("arm64", "sample.flat")
    with Qemu("aarch64", flat) as qemu:
        out = run_gdb(qemu.port, SHOW_ORIGIN + ["kut-load --version", "kut-load " + elf,
                                                "break main", "continue"],
                      gdbinit=gdbinit, cwd=str(tmp_path))
    assert STOPPED_AT_MAIN.search(out), out
    module = re.search(r"^module=(.*)$", out, re.M)
    package = re.search(r"^package=(.*)$", out, re.M)
    assert module and module.group(1).startswith(prefix + os.sep), out
    assert package and package.group(1).startswith(prefix + os.sep), out
    assert "kut-load %s\n" % project_version() in out, out


def assert_compiled(python_dir):
    """Every module has a compiled file that gdb's Python takes without
    writing anything: its cache tag, checked-hash flags and the hash of the
    source as importlib computes it (PEP 552)."""
    major, minor = gdb_python_version()
    tag = "cpython-%s%s" % (major, minor)
    sources = [path for path in files_under(python_dir) if path.endswith(".py")]
    assert any(path.endswith(os.path.join("kut_load", "load", "command.py")) for path in sources)
    for source in sources:
        directory, name = os.path.split(source)
        compiled = os.path.join(directory, "__pycache__", "%s.%s.pyc" % (name[:-3], tag))
        assert os.path.isfile(compiled), "%s has no %s" % (source, compiled)
        with open(compiled, "rb") as pyc, open(source, "rb") as py:
            header, code = pyc.read(16), py.read()
        if (int(major), int(minor)) == sys.version_info[:2]:
            assert header[:4] == importlib.util.MAGIC_NUMBER, compiled
        flags = int.from_bytes(header[4:8], "little")
        assert flags == 0b11, "%s: not a checked-hash file (flags %#x)" % (compiled, flags)
        assert header[8:16] == importlib.util.source_hash(code), "%s is stale" % compiled


def test_install_has_the_gdb_extension_layout(installed):
    prefix, _ = installed
    share = os.path.join(prefix, "share", "kut-load")
    with open(os.path.join(REPO, "gdbinit")) as source, \
            open(os.path.join(share, "gdbinit")) as copy:
        assert copy.read() == source.read()
    package = os.path.join(share, "python", "kut_load")
    assert os.path.isfile(os.path.join(package, "gdb_commands.py"))
    native_module(package)
    assert_compiled(os.path.join(share, "python"))
    if os.path.isfile(os.path.join(REPO, "python", "kut-debug")):
        assert os.access(os.path.join(prefix, "bin", "kut-debug"), os.X_OK)
        assert os.path.isfile(os.path.join(share, "python", "kut_debug", "cli.py"))


def test_installed_files_name_neither_checkout_build_nor_staging_directory(installed):
    prefix, staged = installed
    forbidden = {os.path.realpath(REPO), os.path.realpath(BUILD), REPO, BUILD, staged}
    for path in files_under(prefix):
        with open(path, "rb") as installed_file:
            contents = installed_file.read()
        for directory in forbidden:
            assert directory.encode() not in contents, "%s mentions %s" % (path, directory)
    dynamic = run(["readelf", "-d", native_module(os.path.join(
        prefix, "share", "kut-load", "python", "kut_load"))])
    assert "RPATH" not in dynamic and "RUNPATH" not in dynamic, dynamic


def test_moved_install_loads_symbols_and_stops_at_main(installed, tmp_path):
    prefix, _ = installed
    assert_stops_at_main_from(prefix, os.path.join(prefix, "share", "kut-load", "gdbinit"),
                              tmp_path)


def test_installed_kut_debug_starts_a_test_from_its_log(installed, tmp_path):
    prefix, _ = installed
    kut_debug = os.path.join(prefix, "bin", "kut-debug")
    if not os.path.isfile(os.path.join(REPO, "python", "kut-debug")):
        assert not os.path.exists(kut_debug)
        return
    # A kvm-unit-tests tree after ./run_tests.sh -v: the log's first line is the QEMU command.
    os.mkdir(str(tmp_path / "logs"))
    os.mkdir(str(tmp_path / "arm64"))
    for name in ("sample.elf", "sample.flat"):
        os.symlink(guest_file("arm64", name), str(tmp_path / "arm64" / name))
    (tmp_path / "logs" / "sample.log").write_text(
        "timeout -k 1s --foreground 90s %s -nodefaults -machine virt -accel tcg -cpu max"
        " -display none -serial stdio -kernel arm64/sample.flat -smp 1\n"
        % require("qemu-system-aarch64"))
    result = subprocess.run([kut_debug, "--nx", "--batch", "sample"], cwd=str(tmp_path),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=120)
    assert STOPPED_AT_MAIN.search(result.stdout), result.stdout + result.stderr


def test_deb_control_fields(deb):
    fields = run(["dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Depends"])
    control = dict(line.split(": ", 1) for line in fields.splitlines())
    assert control["Package"] == "kut-load", fields
    assert control["Version"] == project_version(), fields
    assert control["Architecture"] == run(["dpkg", "--print-architecture"]).strip(), fields
    depends = [alternatives.strip() for alternatives in control["Depends"].split(",")]
    major, minor = gdb_python_version()
    assert "gdb-multiarch | gdb" in depends, fields
    assert "python3 (>= %s.%s~)" % (major, minor) in depends, fields
    assert "python3 (<< %s.%d)" % (major, int(minor) + 1) in depends, fields
    names = [re.match(r"[\w.+-]+", dependency).group(0) for dependency in depends]
    assert "libc6" in names and "libstdc++6" in names, fields


def test_deb_installs_under_usr_and_needs_libllvm_only_when_linked(deb, tmp_path):
    listing = run(["dpkg-deb", "-c", deb])
    paths = [line.split()[-1] for line in listing.splitlines()]
    assert all(path.startswith("./usr/") or path == "./" for path in paths), listing
    assert "./usr/share/kut-load/gdbinit" in paths, listing
    root = str(tmp_path / "root")
    run(["dpkg", "-x", deb, root])
    module = native_module(os.path.join(root, "usr", "share", "kut-load", "python", "kut_load"))
    assert_compiled(os.path.join(root, "usr", "share", "kut-load", "python"))
    needed = run(["readelf", "-d", module])
    depends = run(["dpkg-deb", "-f", deb, "Depends"])
    assert ("libLLVM" in needed) == ("libllvm" in depends), needed + depends
    assert "RPATH" not in needed and "RUNPATH" not in needed, needed


def test_unpacked_deb_loads_symbols_and_stops_at_main(deb, tmp_path):
    root = str(tmp_path / "root")
    run(["dpkg", "-x", deb, root])
    prefix = os.path.join(root, "usr")
    assert_stops_at_main_from(prefix, os.path.join(prefix, "share", "kut-load", "gdbinit"),
                              tmp_path)
