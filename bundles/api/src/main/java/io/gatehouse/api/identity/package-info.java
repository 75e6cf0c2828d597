@Export
@Version("1.3.0")
package io.gatehouse.api.identity;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
