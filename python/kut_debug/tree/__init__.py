"""What kut-debug reads of the kvm-unit-tests tree: unittests.cfg and the run
scripts' environment, a test's log and files, the QEMU command a log holds."""
