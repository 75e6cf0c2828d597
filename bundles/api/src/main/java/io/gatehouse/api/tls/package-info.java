/** The gateway's TLS identity: the edge CA that modules and devices trust, and the hub's server certificate. */
@Export
@Version("1.0.0")
package io.gatehouse.api.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
