"""kut-why: why the check the guest stopped at failed."""
