"""QEMU's memory map (info mtree -f), as kut-why reads it."""

from kut_load.qemu import mtree

# qemu-system-aarch64 7.2, -machine virt,gic-version=2: `info mtree -f`, shortened.
VIRT = """\
FlatView #1
 AS "I/O", root: io
 Root memory region: io
  0000000000000000-000000000000ffff (prio 0, i/o): io

FlatView #2
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 Root memory region: system
  0000000000000000-0000000003ffffff (prio 0, romd): virt.flash0
  0000000008000000-0000000008000fff (prio 0, i/o): gic_dist
  0000000010000000-000000003efeffff (prio 0, i/o): gpex_mmio_window @0000000010000000
  0000000040000000-0000000047ffffff (prio 0, ram): mach-virt.ram
"""


def test_the_cpus_regions_with_their_kinds_and_names():
    regions = mtree.cpu_regions(VIRT)
    assert [region.name for region in regions] == [
        "virt.flash0", "gic_dist", "gpex_mmio_window", "mach-virt.ram"]
    dist = mtree.region_at(regions, 0x8000820)
    assert (dist.start, dist.end, dist.kind, dist.name) == (0x8000000, 0x8001000, "i/o",
                                                            "gic_dist")
    assert mtree.region_at(regions, 0x9000000) is None


def test_the_port_space_is_apart():
    assert mtree.io_regions(VIRT) == [mtree.Region(0, 0x10000, "i/o", "io")]
