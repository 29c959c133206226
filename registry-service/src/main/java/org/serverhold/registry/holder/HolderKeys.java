package org.serverhold.registry.holder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two secrets that protect identity numbers: an HMAC key that turns (type, number) into the
 * holder fingerprint (equal identities match, numbers are not recoverable from it), and an AES
 * key that encrypts the number itself (AES-256-GCM, random 96-bit nonce stored in front).
 */
public final class HolderKeys {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec hmacKey;
  private final SecretKeySpec aesKey;
  private final SecureRandom random = new SecureRandom();

  public HolderKeys(byte[] hmacKey, byte[] aesKey) {
    if (hmacKey.length < 32 || aesKey.length != 32) {
      throw new IllegalArgumentException("need a 32+ byte HMAC key and a 32 byte AES key");
    }
    this.hmacKey = new SecretKeySpec(hmacKey.clone(), "HmacSHA256");
    this.aesKey = new SecretKeySpec(aesKey.clone(), "AES");
  }

  public static byte[] newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  public byte[] fingerprint(IdentityType type, String normalizedNumber) {
    return fingerprint(hmacKey, type, normalizedNumber);
  }

  /** The same construction under another key (e.g. a federation's shared key). */
  public static byte[] fingerprint(SecretKeySpec key, IdentityType type, String normalizedNumber) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(type.name().getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) 0);
      return mac.doFinal(normalizedNumber.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] encrypt(String number) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(number.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String decrypt(byte[] stored) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
      return new String(cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("an identity number cannot be decrypted: wrong encryption key?", e);
    }
  }
}
