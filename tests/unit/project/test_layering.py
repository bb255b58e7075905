"""The layering of python/, read from the sources' import statements (ast),
function-level imports included: what may import gdb, and that every import
goes down the layers, never up."""

import ast
import os

import pytest

from conftest import REPO

PYTHON_DIR = os.path.join(REPO, "python")

# kut_load's units, lowest first: a unit imports only from its own layer or below.
LAYERS = [
    {"kut_load", "kut_load.elf", "kut_load.errors", "kut_load.quoting", "kut_load.native",
     "kut_load.file_names", "kut_load.arches", "kut_load.command_line", "kut_load.command_tables",
     "kut_load.completion", "kut_load.child_process"},
    {"kut_load.qemu", "kut_load.image", "kut_load.target", "kut_load.connection",
     "kut_load.past_main", "kut_load.exception_frames", "kut_load.session",
     "kut_load.breakpoints", "kut_load.register_cache", "kut_load.run_control",
     "kut_load.report", "kut_load.gdb_hooks", "kut_load.reverse_hooks"},
    {"kut_load.finders"},
    {"kut_load.efi"},
    {"kut_load.load"},
    {"kut_load.break_fail", "kut_load.why"},
    {"kut_load.debug_steps", "kut_load.gdb_commands"},
]
# Units that are pure (no gdb): what they compute is tested without one.
PURE_UNITS = {"kut_load", "kut_load.elf", "kut_load.errors", "kut_load.quoting",
              "kut_load.file_names", "kut_load.native", "kut_load.arches", "kut_load.command_line",
              "kut_load.command_tables", "kut_load.completion", "kut_load.qemu", "kut_load.image",
              "kut_load.finders", "kut_load.child_process"}


def module_files():
    """{module name: path} of every module under python/."""
    found = {}
    for directory, _, names in os.walk(PYTHON_DIR):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                module = os.path.relpath(path, PYTHON_DIR)[:-len(".py")].replace(os.sep, ".")
                found[module[:-len(".__init__")] if module.endswith(".__init__") else module] = path
    return found


MODULES = module_files()


def imported_modules(path):
    """Every module path names in an import, a from-import's names resolved to
    modules where they are modules."""
    with open(path) as source:
        tree = ast.parse(source.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(node.module + "." + alias.name for alias in node.names
                         if node.module + "." + alias.name in MODULES)
    return names


IMPORTS = {module: imported_modules(path) for module, path in MODULES.items()}


def unit(module):
    """kut_load's subpackages are units; its top-level modules are one each."""
    parts = module.split(".")
    return ".".join(parts[:2])


def layer(module):
    return next(index for index, units in enumerate(LAYERS) if unit(module) in units)


def imports_gdb(module):
    return any(name == "gdb" or name.startswith("gdb.") for name in IMPORTS[module])


def kut_imports(module):
    return {name for name in IMPORTS[module] if name in MODULES}


def test_every_kut_load_unit_has_a_layer():
    units = {unit(module) for module in MODULES if module.startswith("kut_load")}
    assert units == set().union(*LAYERS)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("kut_load")))
def test_kut_load_imports_only_down_the_layers(module):
    upward = [name for name in kut_imports(module)
              if not name.startswith("kut_load") or layer(name) > layer(module)]
    assert not upward, "%s imports %s from above its layer" % (module, upward)


# The packages of the commands: each asks the floor below, never another command.
COMMAND_PACKAGES = {"kut_load.load", "kut_load.break_fail", "kut_load.why",
                    "kut_load.debug_steps"}


@pytest.mark.parametrize("package", sorted(COMMAND_PACKAGES))
def test_command_packages_import_no_other_command_package(package):
    others = [name for module in MODULES if unit(module) == package
              for name in kut_imports(module) if unit(name) in COMMAND_PACKAGES - {package}]
    assert not others, "%s imports %s: what they share belongs on the floor" % (package, others)


def test_pure_units_do_not_import_gdb():
    assert not [module for module in MODULES if unit(module) in PURE_UNITS
                and imports_gdb(module)]


def reached(module):
    """Every project module module imports, directly or through others."""
    seen, todo = set(), [module]
    while todo:
        for name in kut_imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("kut_debug")))
def test_kut_debug_runs_without_gdb(module):
    """kut-debug runs outside gdb: nothing it reaches imports gdb."""
    with_gdb = [name for name in reached(module) | {module} if imports_gdb(name)]
    assert not with_gdb, "%s reaches %s, which import gdb" % (module, with_gdb)


def test_no_import_cycles():
    for module in MODULES:
        assert module not in reached(module), "%s imports itself through others" % module


def test_gdb_commands_registers_from_every_command_package():
    """One registration module: every gdb.Command subclass is defined there."""
    defined = []
    for module, path in MODULES.items():
        with open(path) as source:
            tree = ast.parse(source.read(), path)
        defined += [(module, node.name) for node in ast.walk(tree)
                    if isinstance(node, ast.ClassDef)
                    and any(ast.unparse(base) in ("gdb.Command", "gdb.Parameter")
                            for base in node.bases)]
    assert defined and {module for module, _ in defined} == {"kut_load.gdb_commands"}, defined
