"""kut-break-fail: stop the guest at a kvm-unit-tests failure, in the test's
frame."""
