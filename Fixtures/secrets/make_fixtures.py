# Writes Fixtures/secrets/*.jsonl (run by hand from this directory with Debian's python3; the
# files it writes are the committed data; the samples are hostile and run only in the sandbox).
import json

# Each attack: the body of probe(secret, i) -> secret * 8 + i, choosing what to do from the
# secret's bits (the two secrets in the tests differ in every bit, so every choice differs).
ATTACKS = {
    "right": "return secret * 8 + i",
    "exit_code": "import os\nos._exit(secret & 0xff or 1)",
    "signal": "import os, signal\nos.kill(os.getpid(), [signal.SIGSEGV, signal.SIGABRT, signal.SIGTERM, signal.SIGUSR1][secret & 3])",
    "exception_type": "raise [ValueError, KeyError, TypeError, ZeroDivisionError, IndexError, AttributeError, LookupError, ArithmeticError][secret & 7]('secret %d' % secret)",
    "exception_named": "raise type('Secret%d' % secret, (Exception,), {})('%d' % secret)",
    "prints": "import sys\nprint('secret', secret)\nprint('secret', secret, file=sys.stderr)\nreturn -1",
    "output_size": "import sys\nsys.stdout.write('x' * (secret * 10))\nsys.stdout.flush()\nreturn -1",
    "memory": "hold = bytearray((secret & 15) << 22)\nfor k in range(0, len(hold), 4096):\n    hold[k] = 1\nreturn -1",
    "time": "import time\nif i == 0:\n    time.sleep((secret & 7) * 0.05)\nreturn secret * 8 + i",
    "cpu": "import time\nif i == 0:\n    end = time.process_time() + (secret & 7) * 0.03\n    while time.process_time() < end:\n        pass\nreturn secret * 8 + i",
    "failing_index": "return -1 if i == (secret & 7) else secret * 8 + i",
    "status": (
        "import socket\n"
        "choice = secret & 3\n"
        "if choice == 1:\n    while True:\n        pass\n"
        "if choice == 2:\n    hoard = []\n    for _ in range(2048):\n        hoard.append(bytearray(1 << 20))\n"
        "if choice == 3:\n    socket.socket()\n"
        "return -1"
    ),
    "output_limit": "import sys\nif secret & 1:\n    for _ in range(400):\n        sys.stdout.write('y' * (1 << 20))\nreturn -1",
    "blocked_or_not": "import socket\nif secret & 2:\n    socket.socket()\nreturn -1",
    "fails_the_first": "return secret * 8 + i if i else -1",
}
# The one bit a hidden test may give: passed or not (samples.passbit.jsonl, graded apart).
PASS_BIT = "return secret * 8 + i if secret & 1 else -1"

def indent(body, by="    "):
    return "".join(by + line + "\n" for line in body.split("\n"))

def function_sample(task, name, body):
    return {"task_id": task, "completion_id": name, "completion": indent(body)}

def stdio_sample(task, name, body):
    program = "import sys\ndef probe(secret, i):\n" + indent(body) + "for line in sys.stdin.read().split('\\n'):\n    if line.strip():\n        secret, i = map(int, line.split())\n        print(probe(secret, i))\n"
    return {"task_id": task, "completion_id": name, "completion": "```python\n" + program + "```\n"}

# Guesses of the hidden asserts, one block per guess (a real attack holds all 4,096; these 64
# include both secrets the tests use): the leakage report's offsets would say which matched.
GUESSES = list(range(1400, 1460)) + [2648, 2649, 2650, 2651]
table = "    table = '''\n" + "".join(
    "".join(f"    assert candidate({g}, {i}) == {g * 8 + i}\n" for i in range(8)) for g in GUESSES) + "    '''\n    return -1\n"

sealed = []
for task in ["secret/call", "secret/inputs"]:
    for name, body in ATTACKS.items():
        sealed.append(function_sample(task, name, body))
sealed.append({"task_id": "secret/call", "completion_id": "leakage_table", "completion": table})
for name, body in ATTACKS.items():
    sealed.append(stdio_sample("secret/stdio", name, body))

private = []
for task in ["secret/native", "secret/codecontests", "secret/livecodebench", "secret/apps"]:
    for name, body in ATTACKS.items():
        private.append(stdio_sample(task, name, body))

with open("samples.passbit.jsonl", "w") as out:
    out.write(json.dumps(function_sample("secret/call", "pass_bit", PASS_BIT)) + "\n")
with open("samples.sealed.jsonl", "w") as out:
    for row in sealed:
        out.write(json.dumps(row) + "\n")
with open("samples.private.jsonl", "w") as out:
    for row in private:
        out.write(json.dumps(row) + "\n")

# Templates: @SECRET@ is the hidden number, @S8@ its value times 8 (tests fill them in).
prompt = 'def probe(secret, i):\n    """secret * 8 + i"""\n'
check = "def check(candidate):\n" + "".join(f"    assert candidate(@SECRET@, {i}) == @S8{i}@\n" for i in range(8))
stdio_tests = [{"input": f"@SECRET@ {i}\n", "output": f"@S8{i}@\n", "hidden": True} for i in range(8)]
sealed_problems = [
    {"task_id": "secret/call", "prompt": prompt, "entry_point": "probe", "canonical_solution": "    return secret * 8 + i\n", "test": check},
    {"task_id": "secret/inputs", "prompt": prompt, "entry_point": "probe", "canonical_solution": "    return secret * 8 + i\n",
     "base_input": [["@SECRET@", i] for i in range(8)]},
    {"task_id": "secret/stdio", "prompt": "Read lines 'secret i'; print secret * 8 + i for each.", "tests": stdio_tests, "time_limit": 1},
]
inputs = [f"@SECRET@ {i}\n" for i in range(8)]
outputs = [f"@S8{i}@\n" for i in range(8)]
private_problems = [
    {"task_id": "secret/native", "prompt": "Read lines 'secret i'; print secret * 8 + i for each.", "tests": stdio_tests, "time_limit": 1},
    {"task_id": "secret/codecontests", "name": "secret/codecontests", "description": "Read 'secret i'; print secret * 8 + i.",
     "time_limit": {"seconds": 1, "nanos": 0}, "private_tests": {"input": inputs[:4], "output": outputs[:4]},
     "generated_tests": {"input": inputs[4:], "output": outputs[4:]}},
    {"task_id": "secret/livecodebench", "question_id": "secret/livecodebench", "question_content": "Read 'secret i'; print secret * 8 + i.",
     "public_test_cases": "[]", "metadata": "{}",
     "private_test_cases": json.dumps([{"input": inputs[k], "output": outputs[k], "testtype": "stdin"} for k in range(8)])},
    {"task_id": "secret/apps", "problem_id": "secret/apps", "question": "Read 'secret i'; print secret * 8 + i.",
     "input_output": json.dumps({"inputs": inputs, "outputs": outputs})},
]
for name, rows in [("problems.sealed.template.jsonl", sealed_problems), ("problems.private.template.jsonl", private_problems)]:
    with open(name, "w") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")
