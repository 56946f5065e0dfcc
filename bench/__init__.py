"""The benchmark harness (`make bench`): our app beside a minimal baseline, under wrk."""
