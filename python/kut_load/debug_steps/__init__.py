"""kut-debug's side inside gdb: the steps of its start-up script
(kut-debug-step, its words declared in command_tables.KUT_DEBUG_STEP) and
the firmware wait of an EFI test (kut-debug-efi-start)."""
