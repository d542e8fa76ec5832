//! White-box tests of the count protocol's overflow guards.
