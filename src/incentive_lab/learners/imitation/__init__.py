"""Population dynamics and imitation learners: agents copy better-earning strategies.

Registers ``replicator`` (a shared mixed strategy following discrete replicator(-mutator)
steps: :mod:`.replicator`), ``proportional_imitation`` (synchronous proportional imitation:
:mod:`.proportional_imitation`), ``moran`` (Moran birth–death / death–birth process:
:mod:`.moran`) and ``fermi_imitation`` (pairwise Fermi imitation of neighbours on a graph or
lattice: :mod:`.fermi_imitation`). :mod:`.dynamics` holds the deterministic ODE fields,
their integration and rest points. The Numba kernels of ``fermi_imitation`` and their
counter-based uniforms are private to this family (``_kernels_fermi``,
``_kernels_fermi_lattice``, ``_kernels_random``).
"""

from incentive_lab.learners.imitation import (
    fermi_imitation,
    moran,
    proportional_imitation,
    replicator,
)

__all__ = ["fermi_imitation", "moran", "proportional_imitation", "replicator"]
