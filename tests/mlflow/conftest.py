import pytest

# The tests here are marked mlflow by the folder they are in (tests/conftest.py).
mlflow = pytest.importorskip("mlflow", reason="differential tests need mlflow-skinny (dev extra)")
