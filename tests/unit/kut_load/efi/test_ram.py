"""RAM ranges from QEMU's `info mtree -f`, whose flat views come in any order."""

from kut_load.efi.ram import parse_ram_ranges

# QEMU 7.2, aarch64 virt with UEFI: the CPUs' view is not the first one.
VIRT = """FlatView #0
 AS "I/O", root: io
 Root memory region: io
  0000000000000000-000000000000ffff (prio 0, i/o): io

FlatView #1
 AS "gpex-root", root: bus master container
 Root memory region: (none)
  No rendered FlatView

FlatView #2
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 AS "cpu-memory-1", root: system
 Root memory region: system
  0000000000000000-0000000003ffffff (prio 0, romd): virt.flash0
  0000000004000000-0000000007ffffff (prio 0, romd): virt.flash1
  0000000009000000-0000000009000fff (prio 0, i/o): pl011
  0000000040000000-0000000047ffffff (prio 0, ram): mach-virt.ram
"""

BUS_MASTER_RAM = """FlatView #0
 AS "virtio-pci", root: bus master container
  0000000000000000-00000000ffffffff (prio 0, ram): some-dma-window
FlatView #1
 AS "memory", root: system
  0000000000000000-000000000009ffff (prio 0, ram): pc.ram
  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom
  0000000000100000-0000000007ffffff (prio 0, ram): pc.ram @0000000000100000
  0000000000080000-00000000000a0fff (prio 0, ram): overlapping
"""

OLD_FORMAT = """address-space (flat view): I/O
  0000000000000000-000000000000ffff (prio 0, ram): not-cpu
address-space (flat view): memory
  0000000040000000-000000004fffffff (prio 0, ram): mach-virt.ram
"""


def test_virt_ram_from_the_cpus_view():
    assert parse_ram_ranges(VIRT) == [(0x40000000, 0x48000000)]


def test_only_the_cpus_view_and_ranges_merged():
    assert parse_ram_ranges(BUS_MASTER_RAM) == [(0, 0xa1000), (0x100000, 0x8000000)]


def test_older_qemu_format():
    assert parse_ram_ranges(OLD_FORMAT) == [(0x40000000, 0x50000000)]


def test_nothing_usable():
    assert parse_ram_ranges("") == []
    assert parse_ram_ranges("garbage\n  zz-yy (prio 0, ram): x\n") == []
