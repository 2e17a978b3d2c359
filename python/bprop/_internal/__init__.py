"""bprop's shared internals (not public API): input checks, the prepared
problem the core evaluates, thread policy, atomic writes, counting, install
hints, gradient-check hints. Each module is imported by several public ones."""
