"""A built kvm-unit-tests tree and the command run_tests.sh runs a test with.

run_tests.sh (scripts/runtime.bash, run and get_cmdline) starts each test as
  TESTNAME=T TIMEOUT=90s MACHINE=M ACCEL=A ./TEST_DIR/run TEST_DIR/FILE -smp N OPTS
through bash's eval, OPTS being `-append TEST_ARGS` and the test's
qemu_params (extra_params) from TEST_DIR/unittests.cfg. The run script picks
the accelerator, the firmware and the QEMU options, builds the -initrd
environment (scripts/arch-run.bash: initrd_create, env_params, env_errata),
refuses what it cannot run, and passes arguments it does not know to QEMU,
so kut-debug appends its gdb stub options there and gets the same run.
"""

import os
import re
import shlex
from dataclasses import dataclass

from kut_load import file_names
from kut_load.qemu import options as qemu_options
from kut_debug.tree import unittests_cfg
from kut_debug.errors import DebugError

CONFIG = "config.mak"
# What scripts/runtime.bash defines before it evals a test's command: smp and
# qemu_params may use $MAX_SMP, the host's CPUs, lowered while a probe run of
# the run script says QEMU's machine has fewer.
MAX_SMP_PREAMBLE = (': "${MAX_SMP:=$(getconf _NPROCESSORS_CONF)}"; '
                    'while %s _NO_FILE_4Uhere_ -smp $MAX_SMP 2>&1 | grep -qi "exceeds max CPUs"; '
                    'do MAX_SMP=$((MAX_SMP - 1)); done;')

CONFIG_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*(.*)$")


@dataclass
class KvmTree:
    """The tree in the current directory: config.mak's variables."""
    config: dict

    @property
    def arch(self):
        return self.config.get("ARCH", "")

    @property
    def test_dir(self):
        return self.config.get("TEST_DIR", "")

    directory: str = "."

    @property
    def run_script(self):
        """The run script, relative to the tree: the TEST_DIR-run link that
        ./configure makes (to TEST_DIR/efi/run in an EFI build), else
        TEST_DIR/efi/run in an EFI build, else TEST_DIR/run."""
        link = self.test_dir + "-run"
        if os.path.exists(os.path.join(self.directory, link)):
            return link
        if self.efi:
            return os.path.join(self.test_dir, "efi", "run")
        return os.path.join(self.test_dir, "run")

    @property
    def unittests(self):
        return os.path.join(self.test_dir, "unittests.cfg")

    def path(self, relative):
        """A path relative to the tree, as seen from the current directory."""
        return os.path.normpath(os.path.join(self.directory, relative))

    def reads(self, variable):
        """Whether the tree's run script reads the environment variable
        (riscv/run: TARGET_CPU_OVERRIDE, MACHINE_OVERRIDE, FIRMWARE_OVERRIDE)."""
        try:
            with open(self.path(self.run_script), errors="replace") as script:
                return "$" + variable in script.read()
        except OSError:
            return False

    @property
    def efi(self):
        return self.config.get("CONFIG_EFI") == "y"


def parse_config(text):
    """config.mak's `NAME=value` lines as a dict (make syntax, no expansion)."""
    config = {}
    for line in text.splitlines():
        match = CONFIG_LINE.match(line.strip())
        if match:
            config[match.group(1)] = match.group(2).strip()
    return config


def find_tree(directory="."):
    """The KvmTree in directory, or None when it is not a configured tree
    with a run script (./configure writes config.mak)."""
    try:
        with open(os.path.join(directory, CONFIG), errors="replace") as config_file:
            tree = KvmTree(parse_config(config_file.read()), directory)
    except OSError:
        return None
    if not tree.test_dir or not os.path.isfile(os.path.join(directory, tree.run_script)):
        return None
    return tree


def read_tests(tree):
    try:
        with open(tree.path(tree.unittests), errors="replace") as cfg:
            return unittests_cfg.parse(cfg.read())
    except OSError as error:
        raise DebugError("cannot read %s: %s" % (tree.unittests, error.strerror)) from None


@dataclass
class TestRun:
    """How run_tests.sh starts one test: the test's kernel file and the
    shell command (bash eval) without kut-debug's own options; it ends with
    the run script's arguments, so more can be appended."""
    name: str
    kernel: str
    shell_command: str


def matches(name, given, wanted):
    """Whether run_tests.sh runs a test that wants name=wanted under name=given:
    ACCEL may carry properties after a comma (scripts/runtime.bash)."""
    if name == "ACCEL":
        return given.split(",")[0] == wanted
    return given == wanted


def refusal(entry, tree, environ, log_accel=None):
    """Why kut-debug will not run entry as run_tests.sh would, or None."""
    where = "%s in %s" % (entry.name, tree.unittests)
    if environ.get("TARGET", "qemu") != "qemu":
        return ("the environment has TARGET=%s: kut-debug runs tests under QEMU's gdb stub "
                "only" % environ["TARGET"])
    if "migration" in entry.groups:
        return ("%s is a migration test: run_tests.sh runs two QEMUs and migrates the guest "
                "from one to the other when it asks, and a single paused QEMU would wait "
                "for that forever; kut-debug does not debug migration tests" % where)
    if entry.arch and entry.arch != tree.arch:
        return "%s runs on %s only, and this tree is built for %s" % (
            where, entry.arch, tree.arch)
    for name, wanted in (("ACCEL", entry.accel), ("MACHINE", entry.machine)):
        given = environ.get(name)
        if wanted and given and not matches(name, given, wanted):
            return "%s needs %s=%s, and the environment has %s=%s" % (
                where, name, wanted, name, given)
    if entry.accel and log_accel and not environ.get("ACCEL") and \
            not matches("ACCEL", log_accel, entry.accel):
        return ("%s needs ACCEL=%s, and the log's run used ACCEL=%s; set ACCEL=%s to run it "
                "all the same" % (where, entry.accel, log_accel, entry.accel))
    for check in entry.check.split():
        path, _, wanted = check.partition("=")
        if path and read_value(path) != wanted:
            return "run_tests.sh skips %s: %s is not %s (check = %s)" % (
                where, path, wanted, entry.check)
    return None


def read_value(path):
    """The file's contents without the final newline, as $(cat PATH) gives them."""
    try:
        with open(path, errors="replace") as checked:
            return checked.read().rstrip("\n")
    except OSError:
        return None


def test_run(tree, entry, environ, log_accel=None, carried=()):
    """The TestRun of entry, refusing (DebugError) what run_tests.sh would skip
    or kut-debug cannot follow. log_accel: the accelerator of the logged run,
    taken when the environment sets no ACCEL; carried: more (NAME, value)
    assignments for the run script."""
    reason = refusal(entry, tree, environ, log_accel)
    if reason:
        raise DebugError(reason)
    if not entry.file:
        raise DebugError("%s in %s has no file" % (entry.name, tree.unittests))
    kernel = os.path.join(tree.test_dir, entry.file)
    if tree.efi:
        kernel = file_names.efi_of_flat(kernel)
    # A debugging session has no time limit: TIMEOUT=0 drops run_qemu's timeout.
    assignments = [("TESTNAME", entry.name), ("TIMEOUT", "0"),
                   ("MACHINE", environ.get("MACHINE") or entry.machine),
                   ("ACCEL", environ.get("ACCEL") or log_accel or entry.accel)] + list(carried)
    words = []
    if "MAX_SMP" in entry.smp + entry.qemu_params and "MAX_SMP" not in environ:
        words.append(MAX_SMP_PREAMBLE % shlex.quote("./" + tree.run_script))
    words += ["%s=%s" % (name, shlex.quote(value)) for name, value in assignments]
    words += [shlex.quote("./" + tree.run_script), shlex.quote(kernel), "-smp", entry.smp]
    if entry.test_args:
        words += ["-append", entry.test_args]
    if entry.qemu_params:
        words.append(entry.qemu_params)
    return TestRun(entry.name, kernel, " ".join(words))


def find_test_if_listed(tree, name, environ, log_accel=None, carried=()):
    """The TestRun of the test called name in the tree's unittests.cfg, or
    None if it lists no such test."""
    tests = read_tests(tree)
    return test_run(tree, tests[name], environ, log_accel, carried) if name in tests else None


CPU_OVERRIDE = "TARGET_CPU_OVERRIDE"


def logged_cpu_override(tree, argv, environ):
    """(TARGET_CPU_OVERRIDE, model) when a logged run's QEMU argv has a -cpu
    other than the tree's default and the tree's run script takes that
    variable (riscv/run: TARGET_CPU_OVERRIDE, else TARGET_CPU, else
    DEFAULT_QEMU_CPU), and the environment sets none; else None."""
    if environ.get(CPU_OVERRIDE) or not tree.reads(CPU_OVERRIDE):
        return None
    # The run script's -cpu comes first; a test's qemu_params may add another.
    models = [item.value for item in qemu_options.items(argv[1:]) if item.name == "-cpu"]
    default = tree.config.get("TARGET_CPU") or tree.config.get("DEFAULT_QEMU_CPU")
    if not models or not models[0] or models[0] == default:
        return None
    return CPU_OVERRIDE, models[0]


def test_args_of(argv):
    """The words of the -append value in a QEMU argv (program name first;
    run_tests.sh passes a test's test_args there), or [] without one."""
    values = [item.value for item in qemu_options.items(argv[1:])
              if item.name == "-append" and item.value is not None]
    return values[-1].split() if values else []


def words_of_test_args(test_args):
    """The words the guest gets of unittests.cfg's test_args, which the shell
    evaluates (`test_args = "migration -m"` is one -append value)."""
    return " ".join(shlex.split(test_args)).split()


def migration_test_run_by(argv):
    """The migration test of unittests.cfg whose run a QEMU argv (program
    name first) is: the same -kernel file and test_args, as "NAME in
    TEST_DIR/unittests.cfg"; else None. The tree is the current directory's,
    else the one holding the kernel (TREE/TEST_DIR/FILE)."""
    kernel = qemu_options.kernel_argument(argv)
    if kernel is None:
        return None
    tree = find_tree() or find_tree(os.path.dirname(os.path.dirname(os.path.abspath(kernel))))
    if tree is None:
        return None
    stem = os.path.splitext(os.path.basename(kernel))[0]
    arguments = test_args_of(argv)
    for entry in read_tests(tree).values():
        if "migration" not in entry.groups or \
                os.path.splitext(os.path.basename(entry.file))[0] != stem:
            continue
        try:
            if words_of_test_args(entry.test_args) == arguments:
                return "%s in %s" % (entry.name, tree.path(tree.unittests))
        except ValueError:  # an unbalanced quote in unittests.cfg
            continue
    return None
