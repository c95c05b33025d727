# The cutover plan fixtures, for the gate's cutover criteria.
from tests.cutover.conftest import plan_version, three_steps  # noqa: F401
