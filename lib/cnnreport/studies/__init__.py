"""Studies: one subpackage per assignment, registered in `studies.registry`."""
