"""Operations tooling: the local scale-out cluster (``python -m ops.cluster``)."""
