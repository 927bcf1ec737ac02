"""The library from a data frame: a sample design over columns by name (R ``survey``).

:func:`survey` describes a sample as R's ``svydesign`` does (the units of each stage,
strata, weights and finite population corrections, each named by its column), and the
:class:`Survey` it returns estimates from columns by name: means, totals and proportions,
overall or by subgroup (:mod:`analysis.frames.estimates`); raking to population margins;
tests of association, linear and logistic models and Cronbach's alpha
(:mod:`analysis.frames.models`). Each method takes its columns out of the data and calls
the library's function for that statistic (:func:`analysis.design.design_mean`,
:func:`analysis.tables.rao_scott`, :func:`analysis.logistic.fit_grouped_logit`, ...) and
returns that function's result: nothing here computes a statistic of its own.

``data`` is any mapping of column name to one value per row: a dict of lists or arrays,
or a pandas DataFrame (pandas is not needed). The columns are copied, so changing the
data afterwards changes no estimate.

Examples
--------
>>> from analysis import survey
>>> s = survey({"school": [1, 1, 2, 2, 3, 3], "w": [20.0] * 6,
...             "score": [4.0, 6.0, 5.0, 7.0, 2.0, 3.0]}, ids="school", weights="w")
>>> round(s.mean("score").estimate, 4), s.total("score").estimate
(4.5, 540.0)
"""

from analysis.frames.design import Survey, survey

__all__ = ["Survey", "survey"]
