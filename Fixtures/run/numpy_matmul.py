# A scientific library's benign NUMA calls: Debian's numpy with OpenBLAS calls mbind on every
# buffer it allocates. Under a repository profile they fail softly and the product is right.
import sys

sys.path.append("/usr/lib/python3/dist-packages")  # Debian's numpy (the profile runs python3 -S)
import numpy

a = numpy.arange(90000, dtype=float).reshape(300, 300) / 90000
product = a @ a.T
inverse = numpy.linalg.inv(product + numpy.eye(300))
print("ok", round(float(product[0, 0]), 6), bool(numpy.allclose(inverse @ (product + numpy.eye(300)), numpy.eye(300))))
