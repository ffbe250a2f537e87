# A well-behaved program using common stdlib modules and threads: must run unharmed.
import collections, json, math, re, threading, queue, decimal, fractions, heapq, itertools, functools
from concurrent.futures import ThreadPoolExecutor

results = queue.Queue()
threads = [threading.Thread(target=lambda i=i: results.put(i * i)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
squares = sorted(results.get() for _ in range(8))
with ThreadPoolExecutor(max_workers=4) as pool:
    cubes = list(pool.map(lambda x: x ** 3, range(5)))
data = {
    "squares": squares,
    "cubes": cubes,
    "words": re.findall(r"\w+", "the quick brown fox"),
    "sqrt": math.sqrt(2),
    "counter": collections.Counter("mississippi").most_common(2),
    "decimal": str(decimal.Decimal("1.1") + decimal.Decimal("2.2")),
    "fraction": str(fractions.Fraction(1, 3) * 3),
    "heap": heapq.nsmallest(2, [5, 1, 4]),
    "perms": len(list(itertools.permutations(range(4)))),
    "reduce": functools.reduce(lambda a, b: a * b, range(1, 6)),
}
with open("scratch.json", "w") as handle:
    json.dump(data, handle)
with open("scratch.json") as handle:
    print(json.dumps(json.load(handle), sort_keys=True))
