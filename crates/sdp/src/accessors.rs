//! Look-ups shared by the session and media levels: ICE credentials, fingerprints, setup and the
//! other attributes that may appear at either level (RFC 8859 categories `IDENTICAL`/`TRANSPORT`),
//! generated into both `impl` blocks by one macro.

/// Generates the attribute look-ups and builders common to `SessionDescription` and
/// `MediaDescription`; both have a public `attributes: Vec<Attribute>` field.
macro_rules! common_attribute_accessors {
    () => {
        /// The attributes with the given name, in order (verbatim ones included).
        pub fn attributes_named<'a>(
            &'a self,
            name: &'a str,
        ) -> impl Iterator<Item = &'a Attribute> + 'a {
            self.attributes.iter().filter(move |a| a.name() == name)
        }

        /// Whether an attribute with the given name is present.
        pub fn has_attribute(&self, name: &str) -> bool {
            self.attributes.iter().any(|a| a.name() == name)
        }

        /// Appends an attribute.
        pub fn push_attribute(&mut self, attribute: Attribute) {
            self.attributes.push(attribute);
        }

        /// The same description with an attribute appended.
        pub fn with_attribute(mut self, attribute: Attribute) -> Self {
            self.attributes.push(attribute);
            self
        }

        /// `a=ice-ufrag` at this level.
        pub fn ice_ufrag(&self) -> Option<&str> {
            self.attributes.iter().find_map(|a| match a {
                Attribute::IceUfrag(u) => Some(u.as_str()),
                _ => None,
            })
        }

        /// `a=ice-pwd` at this level.
        pub fn ice_pwd(&self) -> Option<&str> {
            self.attributes.iter().find_map(|a| match a {
                Attribute::IcePwd(p) => Some(p.as_str()),
                _ => None,
            })
        }

        /// The `a=ice-options` tags at this level, from every such line.
        pub fn ice_options(&self) -> impl Iterator<Item = &str> {
            self.attributes
                .iter()
                .filter_map(|a| match a {
                    Attribute::IceOptions(o) => Some(o),
                    _ => None,
                })
                .flatten()
                .map(String::as_str)
        }

        /// The `a=fingerprint` lines at this level.
        pub fn fingerprints(&self) -> impl Iterator<Item = &Fingerprint> {
            self.attributes.iter().filter_map(|a| match a {
                Attribute::Fingerprint(f) => Some(f),
                _ => None,
            })
        }

        /// `a=setup` at this level.
        pub fn setup(&self) -> Option<Setup> {
            self.attributes.iter().find_map(|a| match a {
                Attribute::Setup(s) => Some(*s),
                _ => None,
            })
        }

        /// `a=tls-id` at this level.
        pub fn tls_id(&self) -> Option<&str> {
            self.attributes.iter().find_map(|a| match a {
                Attribute::TlsId(t) => Some(t.as_str()),
                _ => None,
            })
        }

        /// The direction attribute at this level, if any (the default is `sendrecv`).
        pub fn direction(&self) -> Option<Direction> {
            self.attributes.iter().find_map(|a| match a {
                Attribute::Direction(d) => Some(*d),
                _ => None,
            })
        }

        /// The `a=extmap` lines at this level.
        pub fn extmaps(&self) -> impl Iterator<Item = &Extmap> {
            self.attributes.iter().filter_map(|a| match a {
                Attribute::Extmap(e) => Some(e),
                _ => None,
            })
        }

        /// Whether `a=extmap-allow-mixed` is present at this level.
        pub fn has_extmap_allow_mixed(&self) -> bool {
            self.attributes
                .iter()
                .any(|a| matches!(a, Attribute::ExtmapAllowMixed))
        }

        /// Whether `a=ice-lite` is present at this level.
        pub fn is_ice_lite(&self) -> bool {
            self.attributes
                .iter()
                .any(|a| matches!(a, Attribute::IceLite))
        }
    };
}
