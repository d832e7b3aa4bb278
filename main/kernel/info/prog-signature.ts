// What the kernel keeps of a program's signature. Linux 6.18 checks one at BPF_PROG_LOAD (the
// signature, signature_size and keyring_id attributes; a signed light skeleton's loader) and
// refuses a bad one, but records nothing: bpf_prog_info and a program's fdinfo have no field for
// it, so whether a loaded program was signed cannot be told. What a signed loader checks stays
// visible: the kernel's SHA-256 of its frozen data map (show map's sha256).

export interface ProgSignature {
  /** `not recorded`: the kernel keeps no signature state for any program. */
  state: 'not recorded';
  why: string;
}

export const PROG_SIGNATURE: ProgSignature = {
  state: 'not recorded',
  why: 'the kernel (up to Linux 6.18) checks a signature when a program is loaded with one, and refuses a bad one, but keeps no record of it; what a signed loader checks, its frozen data map\'s SHA-256, is shown with that map',
};
