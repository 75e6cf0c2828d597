package io.gatehouse.auth.internal;

import io.gatehouse.api.identity.IdentityId;

/** The audience of a SAS token: {@code {host}/devices/{enc(d)}[/modules/{enc(m)}]}, ids decoded. */
record Audience(String host, IdentityId identity) {

    static Audience parse(String audience) throws MalformedTokenException {
        String[] segments = audience.split("/", -1);
        boolean device = segments.length == 3;
        boolean module = segments.length == 5 && "modules".equals(segments[3]);
        if (!(device || module) || !"devices".equals(segments[1])) {
            throw new MalformedTokenException("audience ('sr') is not {host}/devices/{deviceId}[/modules/{moduleId}]");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new MalformedTokenException("audience ('sr') has an empty host, device id or module id");
            }
        }
        try {
            String deviceId = UrlCoding.decode(segments[2]);
            return new Audience(segments[0],
                    module ? IdentityId.module(deviceId, UrlCoding.decode(segments[4])) : IdentityId.device(deviceId));
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("audience ('sr') has an id that is not validly URL-encoded");
        }
    }

    /** As IoT Hub and edgeHub compare audiences: ids ignoring case. */
    boolean names(IdentityId id) {
        return identity.deviceId().equalsIgnoreCase(id.deviceId())
                && (identity.moduleId() == null ? id.moduleId() == null
                        : identity.moduleId().equalsIgnoreCase(id.moduleId()));
    }
}
