"""From record back to cluster: a guest's native `.conf` file and the `pvesh` calls that recreate
a resource, printed for the administrator and never sent to the cluster."""
