"""The test suite, importable as the package ``tests`` (helpers: ``tests.helpers``)."""
