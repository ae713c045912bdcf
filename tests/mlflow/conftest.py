import pytest

pytestmark = pytest.mark.mlflow

mlflow = pytest.importorskip("mlflow", reason="differential tests need mlflow-skinny (dev extra)")
