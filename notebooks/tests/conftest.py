import support  # noqa: F401  (puts notebooks/ on sys.path before the test modules import from it)
