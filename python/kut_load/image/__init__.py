"""The test image placed in the guest, pure: the load plan and the check
against memory."""
