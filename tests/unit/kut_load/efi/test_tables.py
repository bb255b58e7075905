"""The firmware's debug structures, parsed from bytes laid out as the UEFI
specification (and EDK2) lays them out."""

import struct
import uuid

import pytest

from kut_load.efi import tables

SIGNATURE = b"IBI SYST"


def system_table(count, configuration, header_size=120):
    data = bytearray(120)
    data[0:8] = SIGNATURE
    struct.pack_into("<II", data, 8, 0x20046, header_size)
    struct.pack_into("<QQ", data, 104, count, configuration)
    return bytes(data)


def test_system_table_pointer():
    assert tables.system_table_address(SIGNATURE + struct.pack("<Q", 0x43fd0018)) == 0x43fd0018
    assert tables.system_table_address(b"IBI SYSU" + struct.pack("<Q", 1)) is None
    assert tables.system_table_address(SIGNATURE + bytes(8)) is None
    assert tables.system_table_address(SIGNATURE) is None


def test_system_table():
    table = tables.parse_system_table(0x43fd0018, system_table(9, 0x43fdfb18))
    assert (table.address, table.table_count, table.configuration_table) == (
        0x43fd0018, 9, 0x43fdfb18)


@pytest.mark.parametrize("data", [
    b"", bytes(120), system_table(9, 0)[:100], system_table(9, 0, header_size=24),
    system_table(100000, 0x1000)])
def test_bad_system_tables(data):
    with pytest.raises(tables.TableError):
        tables.parse_system_table(0x1000, data)


def test_configuration_table_lookup():
    other = uuid.UUID("fc1bcdb0-7d31-49aa-936a-a4600d9dd083")
    data = (other.bytes_le + struct.pack("<Q", 0x1111)
            + tables.DEBUG_IMAGE_INFO_TABLE_GUID.bytes_le + struct.pack("<Q", 0x47756690))
    assert tables.find_configuration_table(data, tables.DEBUG_IMAGE_INFO_TABLE_GUID) == 0x47756690
    assert tables.find_configuration_table(data[:24], tables.DEBUG_IMAGE_INFO_TABLE_GUID) is None
    assert tables.find_configuration_table(data[:40], tables.DEBUG_IMAGE_INFO_TABLE_GUID) is None


def test_guid_is_stored_mixed_endian():
    assert tables.DEBUG_IMAGE_INFO_TABLE_GUID.bytes_le[:4] == bytes.fromhex("772e1549")


def test_debug_image_table_header():
    table = tables.parse_debug_image_table(0x10, struct.pack("<IIQ", 2, 92, 0x4361f018))
    assert (table.update_status, table.image_count, table.entries_address) == (2, 92, 0x4361f018)
    with pytest.raises(tables.TableError):
        tables.parse_debug_image_table(0x10, struct.pack("<IIQ", 0, 1 << 30, 0x1000))
    with pytest.raises(tables.TableError):
        tables.parse_debug_image_table(0x10, b"\0" * 8)


def test_normal_entry_and_loaded_image():
    assert tables.loaded_image_address(struct.pack("<IIQQ", 1, 0, 0x42c9a640, 0x42c9a198)) \
        == 0x42c9a640
    assert tables.loaded_image_address(struct.pack("<IIQQ", 2, 0, 0x42c9a640, 0)) is None
    assert tables.loaded_image_address(struct.pack("<IIQQ", 1, 0, 0, 0)) is None
    assert tables.image_base_and_size(struct.pack("<QQ", 0x4073d000, 0x7000)) == (
        0x4073d000, 0x7000)


def test_pointers():
    assert tables.pointers(struct.pack("<3Q", 1, 0, 3) + b"\1") == [1, 0, 3]
