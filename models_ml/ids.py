"""The type of user, posting and company ids in every frame the model reads.

Categorical: polars' categories are global, so frames built apart still join on them, and ten
million swipes' ids cost four bytes each instead of a 36-character string (about 1.5 GB at
large scale). Swipe ids stay text: they are unique, and break ties in time order.
"""

import polars as pl

ID = pl.Categorical
ID_COLUMNS = ("user_id", "job_posting_id", "company_id")
