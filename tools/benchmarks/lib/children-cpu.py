"""Runs a command and writes the CPU seconds it and its descendants used to a JSON file.

Usage: python children-cpu.py <result.json> <command> [args...]. The command's output passes through untouched and
its exit code is this script's. RUSAGE_CHILDREN counts every descendant that was waited for (cargo waits for rustc,
maturin for cargo), so the figure is the whole tree's, and unlike wall clock it does not grow when other work on the
machine makes the processes wait for a core.
"""

import json
import resource
import subprocess
import sys

result_file, command = sys.argv[1], sys.argv[2:]
exit_code = subprocess.run(command).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(result_file, "w", encoding="utf-8") as result:
    json.dump({"user": usage.ru_utime, "system": usage.ru_stime}, result)
sys.exit(exit_code)
