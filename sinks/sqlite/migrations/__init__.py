"""The schema's migration steps, `NNNN_what.sql`, applied in order by `sinks.sqlite.migrate`."""
