/// pass@k, percentiles and the seeded bootstrap live in `Estimates` (the analysis layer uses
/// them too, without the sandbox); everything that imports `Grader` sees them.
@_exported import Estimates
