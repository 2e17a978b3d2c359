import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_benchmark_update_machine_info(config, machine_info):
    """Saved runs name the CPU and the kernel path bprop chose, so that avx2 and
    avx512 runs can be told apart."""
    from problems import cpu_description

    import bprop

    info = bprop.build_info()
    machine_info["cpu_description"] = cpu_description()
    machine_info["bprop_simd"] = info["simd"]
    machine_info["bprop_simd_supported"] = info["simd_supported"]
    machine_info["bprop_version"] = info["version"]


def pytest_report_header(config):
    from problems import cpu_description

    import bprop

    return f"bprop {bprop.__version__}: kernels {bprop.build_info()['simd']} on {cpu_description()}"
