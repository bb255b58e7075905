"""QEMU's trace of device accesses, as kut-why reads it."""

from kut_load.qemu import trace

# QEMU 7.2's "log" trace backend, one line stamped as with -msg timestamp=on.
TRACED = (
    "memory_region_ops_write cpu 0 mr 0x55bc13304040 addr 0x8000820 value 0x103020f size 4 "
    "name 'gic_dist'\n"
    "1234@1700000000.000001:memory_region_ops_read cpu 0 mr 0x55bc13304040 addr 0x8000820 "
    "value 0x0 size 4 name 'gic_dist'\n"
    "memory_region_ops_read cpu 0 mr 0x5 addr 0x8000420 value 0xffffffffff7fbf3f size 4 "
    "name 'gic_dist'\n"
    "gic_dist_read something else entirely\n")


def test_device_accesses_in_order():
    write, read, extended = trace.accesses(TRACED)
    assert write == trace.Access(True, 0, 0x8000820, 0x103020f, 4, "gic_dist")
    assert read == trace.Access(False, 0, 0x8000820, 0, 4, "gic_dist")
    assert extended.value == 0xff7fbf3f  # QEMU 7.2 sign-extends a 32-bit read's value
