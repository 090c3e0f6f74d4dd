"""What the fault tests compare before and after: every row of some tables, in key order."""
from __future__ import annotations


def rows(*models) -> dict:
    """{model name: [row tuple, ...]} ordered by primary key: any write shows as a difference."""
    return {model.__name__: list(model.select().order_by(model._meta.primary_key).tuples())
            for model in models}
