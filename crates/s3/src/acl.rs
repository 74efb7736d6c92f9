//! Access control lists: grants to accounts and to S3's groups, the canned ACLs as the grants
//! they stand for, and which S3 actions each permission covers (S3's "Mapping of ACL
//! permissions and access policy permissions"). Pure; the application layer decides with them.

use serde::{Deserialize, Serialize};

use crate::CannedAcl;

/// Who a grant is to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Grantee {
    /// An account, shown as its canonical user id.
    Account(String),
    Group(Group),
}

/// S3's predefined groups.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Group {
    AllUsers,
    AuthenticatedUsers,
    LogDelivery,
}

impl Group {
    pub fn uri(self) -> &'static str {
        match self {
            Self::AllUsers => "http://acs.amazonaws.com/groups/global/AllUsers",
            Self::AuthenticatedUsers => "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
            Self::LogDelivery => "http://acs.amazonaws.com/groups/s3/LogDelivery",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::AllUsers, Self::AuthenticatedUsers, Self::LogDelivery]
            .into_iter()
            .find(|g| g.uri() == uri)
    }

    /// Whether a grant to this group makes a resource public (Block Public Access).
    pub fn is_public(self) -> bool {
        matches!(self, Self::AllUsers | Self::AuthenticatedUsers)
    }
}

/// An ACL permission.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Permission {
    FullControl,
    Read,
    Write,
    ReadAcp,
    WriteAcp,
}

impl Permission {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "FULL_CONTROL" => Self::FullControl,
            "READ" => Self::Read,
            "WRITE" => Self::Write,
            "READ_ACP" => Self::ReadAcp,
            "WRITE_ACP" => Self::WriteAcp,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullControl => "FULL_CONTROL",
            Self::Read => "READ",
            Self::Write => "WRITE",
            Self::ReadAcp => "READ_ACP",
            Self::WriteAcp => "WRITE_ACP",
        }
    }

    /// The actions this permission grants on a bucket, and whether they are on the bucket's
    /// objects (`WRITE`) rather than on the bucket.
    pub fn bucket_actions(self) -> (&'static [&'static str], bool) {
        match self {
            Self::Read => (
                &[
                    "s3:ListBucket",
                    "s3:ListBucketVersions",
                    "s3:ListBucketMultipartUploads",
                ],
                false,
            ),
            // S3 maps WRITE to s3:DeleteObjectVersion only for the bucket owner (whose
            // grants are not turned into statements).
            Self::Write => (&["s3:PutObject", "s3:DeleteObject"], true),
            Self::ReadAcp => (&["s3:GetBucketAcl"], false),
            Self::WriteAcp => (&["s3:PutBucketAcl"], false),
            Self::FullControl => (&[], false),
        }
    }

    /// The actions this permission grants on an object.
    pub fn object_actions(self) -> &'static [&'static str] {
        match self {
            // READ covers "the object data and its metadata" (GetObjectAttributes too).
            Self::Read => &[
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:GetObjectTorrent",
                "s3:GetObjectAttributes",
                "s3:GetObjectVersionAttributes",
            ],
            Self::ReadAcp => &["s3:GetObjectAcl", "s3:GetObjectVersionAcl"],
            Self::WriteAcp => &["s3:PutObjectAcl", "s3:PutObjectVersionAcl"],
            Self::Write | Self::FullControl => &[],
        }
    }

    /// The permissions this one stands for (FULL_CONTROL is all four).
    pub fn expanded(self) -> &'static [Permission] {
        match self {
            Self::FullControl => &[Self::Read, Self::Write, Self::ReadAcp, Self::WriteAcp],
            Self::Read => &[Self::Read],
            Self::Write => &[Self::Write],
            Self::ReadAcp => &[Self::ReadAcp],
            Self::WriteAcp => &[Self::WriteAcp],
        }
    }
}

/// One grant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Grant {
    pub grantee: Grantee,
    pub permission: Permission,
}

impl Grant {
    pub fn is_public(&self) -> bool {
        matches!(self.grantee, Grantee::Group(g) if g.is_public())
    }
}

impl CannedAcl {
    /// The grants this canned ACL stands for on a resource `owner` owns (and, for objects,
    /// in a bucket `bucket_owner` owns when that is another account), as S3 lists them.
    pub fn grants(self, owner: &str, bucket_owner: Option<&str>) -> Vec<Grant> {
        let account = |id: &str, permission| Grant {
            grantee: Grantee::Account(id.to_owned()),
            permission,
        };
        let group = |group, permission| Grant {
            grantee: Grantee::Group(group),
            permission,
        };
        let mut out = vec![account(owner, Permission::FullControl)];
        match self {
            Self::Private | Self::AwsExecRead => {}
            Self::PublicRead => out.push(group(Group::AllUsers, Permission::Read)),
            Self::PublicReadWrite => {
                out.push(group(Group::AllUsers, Permission::Read));
                out.push(group(Group::AllUsers, Permission::Write));
            }
            Self::AuthenticatedRead => out.push(group(Group::AuthenticatedUsers, Permission::Read)),
            Self::BucketOwnerRead => out.extend(bucket_owner.map(|b| account(b, Permission::Read))),
            Self::BucketOwnerFullControl => {
                out.extend(bucket_owner.map(|b| account(b, Permission::FullControl)));
            }
            Self::LogDeliveryWrite => {
                out.push(group(Group::LogDelivery, Permission::Write));
                out.push(group(Group::LogDelivery, Permission::ReadAcp));
            }
        }
        out
    }
}
