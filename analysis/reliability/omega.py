"""McDonald's omega total from a one-factor solution."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.logistic import NotEstimable
from analysis.reliability.alpha import _complete

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OmegaResult:
    """McDonald's omega (total) from a one-factor model of the correlations.

    Attributes
    ----------
    omega : float
    loadings : tuple of float
        Standardized loadings.
    iterations : int
        Principal-axis iterations used.
    """

    omega: float
    loadings: tuple[float, ...]
    iterations: int


def mcdonald_omega(data: npt.ArrayLike, tol: float = 1e-9, max_iter: int = 10_000) -> OmegaResult:
    """McDonald's omega total from a one-factor principal-axis solution.

    ``omega = (sum l)^2 / ((sum l)^2 + sum (1 - l^2))`` with standardized loadings
    ``l`` from iterated principal-axis factoring of the correlation matrix (which
    converges to the unweighted least-squares solution); communalities are kept
    below 1.

    Parameters
    ----------
    data : array_like, shape (respondents, items)
        At least 3 items.
    tol : float, default 1e-9
        Convergence tolerance on the communalities.
    max_iter : int, default 10000
        Iteration limit; communalities near the 0.995 cap can take some thousands.

    Returns
    -------
    OmegaResult
        ``omega`` lies in ``[0, 1)``: communalities are capped at 0.995. It does not
        depend on the order of the respondents.

    Raises
    ------
    NotEstimable
        With reason ``"no convergence"`` when the communalities do not settle within
        ``max_iter`` iterations (a ``ValueError``).
    ValueError
        As :func:`cronbach_alpha`, for fewer than 3 items, and if ``max_iter < 1``.

    Notes
    -----
    Items that share no single factor (negatively correlated groups of items, or
    copies of one item opposed to another) can have several one-factor solutions;
    omega is then the one the iteration reaches from the squared multiple
    correlations, and says little about the scale.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum, ch. 6.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(2000, 1))
    >>> x = 0.7 * f + np.sqrt(1 - 0.49) * rng.normal(size=(2000, 4))
    >>> round(mcdonald_omega(x).omega, 2)
    0.8
    """
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter}")
    x = _complete(data, min_items=3)
    # Respondents in one fixed order: an iteration that starts on a saddle between
    # solutions goes the way rounding in r tips it, which must not depend on the order
    # the respondents came in.
    x = x[np.lexsort(x.T[::-1])]
    r: FloatArray = np.asarray(np.corrcoef(x, rowvar=False), dtype=np.float64)
    # Squared multiple correlations start the iteration. For a positive definite r the
    # diagonal of its inverse is at least 1; a singular r (items that are linear
    # combinations of others) leaves rounding noise there, even 0, so start from 0.5.
    try:
        inv_diag = np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        inv_diag = np.zeros(r.shape[0])
    h = 1 - 1 / inv_diag if np.all(inv_diag >= 1) else np.full(r.shape[0], 0.5)
    it = 0
    loadings = np.sqrt(np.clip(h, 0, None))
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        rh = r.copy()
        np.fill_diagonal(rh, h)
        vals, vecs = np.linalg.eigh(rh)
        loadings = vecs[:, -1] * math.sqrt(max(float(vals[-1]), 0.0))
        new_h = np.minimum(loadings**2, 0.995)
        if float(np.max(np.abs(new_h - h))) < tol:
            h = new_h
            break
        h = new_h
    else:
        raise NotEstimable(
            "no convergence", f"the one-factor model did not converge in {max_iter} iterations"
        )
    if loadings.sum() < 0:
        loadings = -loadings
    loadings = np.sign(loadings) * np.sqrt(h)
    common = float(loadings.sum()) ** 2
    omega = common / (common + float((1 - h).sum()))
    return OmegaResult(omega, tuple(float(v) for v in loadings), it)
