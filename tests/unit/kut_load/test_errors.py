"""The errors kut_load raises: a target read answered with fewer or more bytes."""

import pytest

from kut_load.errors import TargetError, whole_read


def test_whole_read_refuses_short_and_long_answers():
    with pytest.raises(TargetError, match="gave 5 of the 4 bytes"):
        whole_read(b"abcde", 0x40080000, 4)
