declare const addon: {
  /** glibc's malloc_trim(0): gives the free pages of every malloc heap back to the OS; true if any went. */
  trim(): boolean;
};
export = addon;
