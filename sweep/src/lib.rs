//! eyelint-sweep.
