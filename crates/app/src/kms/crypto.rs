//! The cryptographic operations (spec kms-sse §2.5): Encrypt, Decrypt, GenerateDataKey(
//! WithoutPlaintext) and ReEncrypt, each authorized against the key policy with the
//! request's encryption context as condition keys, and refused by the key's state.

use strata_kms::{EncryptionContext, Key, ciphertext};

use super::access::{self, Via};
use super::keys::usable;
use super::resolve::{self, Forms};
use super::{
    Blob, DecryptInput, DecryptOutput, EncryptInput, EncryptOutput, Error, GenerateDataKeyInput,
    GenerateDataKeyOutput, ReEncryptInput, ReEncryptOutput,
};
use crate::{App, Caller};

const ALGORITHM: &str = "SYMMETRIC_DEFAULT";
const MAX_PLAINTEXT: usize = 4096;
const MAX_CIPHERTEXT: usize = 6144;

/// What Decrypt answers for a ciphertext whose key is unknown here (spec kms-sse §2.5).
const UNKNOWN_CIPHERTEXT_KEY: &str = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.";

fn check_length(member: &str, bytes: &[u8], max: usize) -> Result<(), Error> {
    if bytes.is_empty() {
        return Err(Error::constraint(
            member,
            None,
            "Member must have length greater than or equal to 1",
        ));
    }
    if bytes.len() > max {
        return Err(Error::constraint(
            member,
            None,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

fn check_algorithm(algorithm: Option<&str>) -> Result<(), Error> {
    const ALGORITHMS: [&str; 4] = [
        "SYMMETRIC_DEFAULT",
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "SM2PKE",
    ];
    match algorithm {
        None | Some(ALGORITHM) => Ok(()),
        Some(a) if ALGORITHMS.contains(&a) => Err(Error::Validation(format!(
            "{a} is not a valid encryption algorithm for a symmetric key"
        ))),
        Some(a) => Err(Error::constraint(
            "encryptionAlgorithm",
            Some(a),
            &format!(
                "Member must satisfy enum value set: [{}]",
                ALGORITHMS.join(", ")
            ),
        )),
    }
}

/// Encrypts `plaintext` under the key `key_id` names, as `action`.
pub(crate) async fn encrypt_under(
    app: &App,
    caller: &Caller,
    key_id: &str,
    plaintext: &[u8],
    context: &EncryptionContext,
    via: Option<Via<'_>>,
    action: &str,
) -> Result<(Key, Vec<u8>), Error> {
    let key = resolve::key(app, caller, key_id, Forms::Any, action).await?;
    sealed_by(app, caller, key, plaintext, context, via, action)
}

/// Encrypts `plaintext` under `key`, once authorized and usable.
pub(crate) fn sealed_by(
    app: &App,
    caller: &Caller,
    key: Key,
    plaintext: &[u8],
    context: &EncryptionContext,
    via: Option<Via<'_>>,
    action: &str,
) -> Result<(Key, Vec<u8>), Error> {
    access::authorize(app, caller, &key, action, via, Some(context))?;
    usable(&key)?;
    let blob = key.encrypt(plaintext, context)?;
    Ok((key, blob))
}

/// Decrypts `blob` under `context`, as `action`; `expected` is the request's `KeyId`.
pub(crate) async fn decrypt_blob(
    app: &App,
    caller: &Caller,
    blob: &[u8],
    context: &EncryptionContext,
    expected: Option<&str>,
    via: Option<Via<'_>>,
    action: &str,
) -> Result<(Key, Vec<u8>), Error> {
    let named = ciphertext::key_of(blob).ok_or(Error::InvalidCiphertext)?;
    let unknown = || Error::AccessDenied(UNKNOWN_CIPHERTEXT_KEY.to_owned());
    if named.region != caller.region {
        return Err(unknown());
    }
    let key = app
        .kms
        .key(&named.account, &named.region, &named.key_id)?
        .ok_or_else(unknown)?;
    // Authorized before the request's KeyId is looked at, so that an IncorrectKeyException
    // tells nothing about another account's aliases to a caller the key refuses.
    access::authorize(app, caller, &key, action, via, Some(context))?;
    if let Some(expected) = expected {
        let asked = resolve::key(app, caller, expected, Forms::Any, action).await?;
        if asked.key_id != key.key_id || asked.account != key.account {
            return Err(Error::IncorrectKey(
                "The key ID in the request does not identify a CMK that can perform this operation.".to_owned(),
            ));
        }
    }
    usable(&key)?;
    let plaintext = key
        .decrypt(blob, context)?
        .ok_or(Error::InvalidCiphertext)?;
    Ok((key, plaintext))
}

pub async fn encrypt(
    app: &App,
    caller: &Caller,
    input: EncryptInput,
) -> Result<EncryptOutput, Error> {
    let key_id = resolve::required(input.key_id)?;
    let plaintext = input.plaintext.ok_or_else(|| Error::missing("plaintext"))?;
    check_length("plaintext", &plaintext.0, MAX_PLAINTEXT)?;
    check_algorithm(input.encryption_algorithm.as_deref())?;
    let context = input.encryption_context.unwrap_or_default();
    let (key, blob) = encrypt_under(
        app,
        caller,
        &key_id,
        &plaintext.0,
        &context,
        None,
        "kms:Encrypt",
    )
    .await?;
    Ok(EncryptOutput {
        ciphertext_blob: Blob(blob),
        key_id: key.arn(),
        encryption_algorithm: ALGORITHM,
    })
}

pub async fn decrypt(
    app: &App,
    caller: &Caller,
    input: DecryptInput,
) -> Result<DecryptOutput, Error> {
    let blob = input
        .ciphertext_blob
        .ok_or_else(|| Error::missing("ciphertextBlob"))?;
    check_length("ciphertextBlob", &blob.0, MAX_CIPHERTEXT)?;
    check_algorithm(input.encryption_algorithm.as_deref())?;
    let context = input.encryption_context.unwrap_or_default();
    let (key, plaintext) = decrypt_blob(
        app,
        caller,
        &blob.0,
        &context,
        input.key_id.as_deref(),
        None,
        "kms:Decrypt",
    )
    .await?;
    Ok(DecryptOutput {
        key_id: key.arn(),
        plaintext: Blob(plaintext),
        encryption_algorithm: ALGORITHM,
        key_material_id: key.material_id(),
    })
}

/// The data key size a GenerateDataKey request asks for.
fn data_key_len(input: &GenerateDataKeyInput) -> Result<usize, Error> {
    match (&input.key_spec, input.number_of_bytes) {
        (Some(_), Some(_)) | (None, None) => Err(Error::Validation(
            "Please specify either number of bytes or key spec.".to_owned(),
        )),
        (Some(spec), None) => match spec.as_str() {
            "AES_256" => Ok(32),
            "AES_128" => Ok(16),
            other => Err(Error::constraint(
                "keySpec",
                Some(other),
                "Member must satisfy enum value set: [AES_256, AES_128]",
            )),
        },
        (None, Some(n)) if n < 1 => Err(Error::constraint(
            "numberOfBytes",
            Some(&n.to_string()),
            "Member must have value greater than or equal to 1",
        )),
        (None, Some(n)) if n > 1024 => Err(Error::constraint(
            "numberOfBytes",
            Some(&n.to_string()),
            "Member must have value less than or equal to 1024",
        )),
        (None, Some(n)) => Ok(n as usize),
    }
}

/// Fresh random bytes for a data key, from the operating system's random source.
pub(crate) fn random_data_key(len: usize) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; len];
    getrandom::fill(&mut out).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(out)
}

async fn generate(
    app: &App,
    caller: &Caller,
    input: GenerateDataKeyInput,
    action: &str,
    with_plaintext: bool,
) -> Result<GenerateDataKeyOutput, Error> {
    let key_id = resolve::required(input.key_id.clone())?;
    let len = data_key_len(&input)?;
    let context = input.encryption_context.unwrap_or_default();
    let plaintext = random_data_key(len)?;
    let (key, blob) =
        encrypt_under(app, caller, &key_id, &plaintext, &context, None, action).await?;
    Ok(GenerateDataKeyOutput {
        ciphertext_blob: Blob(blob),
        plaintext: with_plaintext.then_some(Blob(plaintext)),
        key_id: key.arn(),
        key_material_id: key.material_id(),
    })
}

pub async fn generate_data_key(
    app: &App,
    caller: &Caller,
    input: GenerateDataKeyInput,
) -> Result<GenerateDataKeyOutput, Error> {
    generate(app, caller, input, "kms:GenerateDataKey", true).await
}

pub async fn generate_data_key_without_plaintext(
    app: &App,
    caller: &Caller,
    input: GenerateDataKeyInput,
) -> Result<GenerateDataKeyOutput, Error> {
    generate(
        app,
        caller,
        input,
        "kms:GenerateDataKeyWithoutPlaintext",
        false,
    )
    .await
}

pub async fn re_encrypt(
    app: &App,
    caller: &Caller,
    input: ReEncryptInput,
) -> Result<ReEncryptOutput, Error> {
    let blob = input
        .ciphertext_blob
        .ok_or_else(|| Error::missing("ciphertextBlob"))?;
    check_length("ciphertextBlob", &blob.0, MAX_CIPHERTEXT)?;
    let destination = input
        .destination_key_id
        .ok_or_else(|| Error::missing("destinationKeyId"))?;
    let source_context = input.source_encryption_context.unwrap_or_default();
    let destination_context = input.destination_encryption_context.unwrap_or_default();
    let (source, plaintext) = decrypt_blob(
        app,
        caller,
        &blob.0,
        &source_context,
        input.source_key_id.as_deref(),
        None,
        "kms:ReEncryptFrom",
    )
    .await?;
    let (key, blob) = encrypt_under(
        app,
        caller,
        &destination,
        &plaintext,
        &destination_context,
        None,
        "kms:ReEncryptTo",
    )
    .await?;
    Ok(ReEncryptOutput {
        ciphertext_blob: Blob(blob),
        source_key_id: source.arn(),
        key_id: key.arn(),
        source_encryption_algorithm: ALGORITHM,
        destination_encryption_algorithm: ALGORITHM,
    })
}
